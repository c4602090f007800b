// @ts-check
'use strict';

/**
 * Tool calls. The simulator answers with a call to a tool when the request offers `tools`,
 * `tool_choice` is not "none", and either
 *   - `tool_choice` names a function (`{"type":"function","function":{"name":...}}`), or
 *   - `tool_choice` is "required" (the first matching tool, else the first tool), or
 *   - `tool_choice` is "auto"/absent and the last user message asks for a tool: it contains a
 *     tool's name (also with `_` read as a space), or contains "weather" and a tool's name or
 *     description mentions weather.
 * Arguments are JSON built from the tool's parameter schema (see `buildArguments`).
 *
 * Like vLLM, "auto" needs `--enable-auto-tool-choice --tool-call-parser ...` on the command line,
 * except for gpt-oss models (vLLM's harmony path does not need a parser).
 */

/**
 * @typedef {{ name: string, description: string, parameters: any }} ToolSpec
 * @typedef {{ name: string, arguments: Record<string, unknown> }} PlannedToolCall
 * @typedef {{ call: PlannedToolCall | null } | { error: string }} ToolDecision
 */

/**
 * @param {any} body chat completion request
 * @param {string} userText last user message
 * @param {{ enableAutoToolChoice: boolean, toolCallParser: string | undefined, model: string }} server
 * @returns {ToolDecision}
 */
function decideToolCall(body, userText, server) {
  const tools = toolSpecs(body.tools);
  if (tools.length === 0) return { call: null };
  const choice = body.tool_choice ?? 'auto';
  if (choice === 'none') return { call: null };

  if (typeof choice === 'object' && choice !== null) {
    const name = choice?.function?.name;
    const tool = tools.find((t) => t.name === name);
    if (!tool) return { error: `Tool '${String(name)}' has not been passed in \`tools\`.` };
    return { call: { name: tool.name, arguments: buildArguments(tool.parameters, userText) } };
  }
  if (choice === 'required') {
    const tool = matchTool(tools, userText) ?? /** @type {ToolSpec} */ (tools[0]);
    return { call: { name: tool.name, arguments: buildArguments(tool.parameters, userText) } };
  }
  if (choice !== 'auto') return { error: `Invalid value for tool_choice: ${JSON.stringify(choice)}` };

  const harmony = /gpt-oss/i.test(server.model);
  if (!harmony && !(server.enableAutoToolChoice && server.toolCallParser)) {
    return { error: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set' };
  }
  const tool = matchTool(tools, userText);
  return { call: tool ? { name: tool.name, arguments: buildArguments(tool.parameters, userText) } : null };
}

/**
 * @param {unknown} tools request `tools`
 * @returns {ToolSpec[]}
 */
function toolSpecs(tools) {
  if (!Array.isArray(tools)) return [];
  return tools
    .filter((t) => t && typeof t === 'object' && typeof t.function?.name === 'string')
    .map((t) => ({
      name: t.function.name,
      description: typeof t.function.description === 'string' ? t.function.description : '',
      parameters: t.function.parameters ?? {},
    }));
}

/**
 * @param {readonly ToolSpec[]} tools
 * @param {string} userText
 */
function matchTool(tools, userText) {
  const text = userText.toLowerCase();
  const byName = tools.find((t) => {
    const name = t.name.toLowerCase();
    return text.includes(name) || text.includes(name.replace(/_/g, ' '));
  });
  if (byName) return byName;
  if (text.includes('weather')) {
    return tools.find((t) => `${t.name} ${t.description}`.toLowerCase().includes('weather'));
  }
  return undefined;
}

/**
 * Deterministic arguments from a JSON schema: every required property (all properties when none
 * are marked required). Strings named like a place take the capitalised words after "in"/"for"/"at"
 * in the user message (default "Paris"); other strings "example"; enums their first value;
 * numbers 1; booleans true; arrays []; objects {}.
 * @param {any} schema
 * @param {string} userText
 * @returns {Record<string, unknown>}
 */
function buildArguments(schema, userText) {
  const props = schema && typeof schema.properties === 'object' && schema.properties ? schema.properties : {};
  const required = Array.isArray(schema?.required) ? schema.required : Object.keys(props);
  /** @type {Record<string, unknown>} */
  const args = {};
  for (const name of required) {
    if (typeof name !== 'string') continue;
    args[name] = exampleValue(name, props[name] ?? {}, userText);
  }
  return args;
}

/**
 * @param {string} name
 * @param {any} prop
 * @param {string} userText
 * @returns {unknown}
 */
function exampleValue(name, prop, userText) {
  if (Array.isArray(prop.enum) && prop.enum.length > 0) return prop.enum[0];
  const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
  switch (type) {
    case 'integer':
    case 'number': return 1;
    case 'boolean': return true;
    case 'array': return [];
    case 'object': return {};
    default:
      if (/location|city|place|country|where/i.test(name)) return placeIn(userText) ?? 'Paris';
      return 'example';
  }
}

/** @param {string} text */
function placeIn(text) {
  const m = /\b(?:in|for|at)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)/.exec(text);
  return m ? m[1] : undefined;
}

module.exports = { decideToolCall, buildArguments, toolSpecs };
