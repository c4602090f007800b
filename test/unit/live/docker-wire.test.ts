import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEvent } from '../../../src/core/docker/client';
import { FrameDemuxer, LineSplitter } from '../../../src/core/docker/demux';
import { stripAnsi } from '../../../src/core/logs/ansi';
import { LogBuffer } from '../../../src/core/logs/buffer';
import { splitTimestamp } from '../../../src/core/logs/follower';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('Docker log frames', () => {
  it('demultiplexes stdout and stderr frames', () => {
    const chunks = new FrameDemuxer().push(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]));
    assert.deepEqual(chunks.map((c) => [c.stream, c.data.toString()]), [['stdout', 'out\n'], ['stderr', 'err\n']]);
  });

  it('reassembles a frame split anywhere, even inside its header', () => {
    const whole = Buffer.concat([frame(1, 'hello world\n'), frame(2, 'x\n')]);
    for (let cut = 1; cut < whole.length; cut++) {
      const d = new FrameDemuxer();
      const got = [...d.push(whole.subarray(0, cut)), ...d.push(whole.subarray(cut))].map((c) => c.data.toString()).join('');
      assert.equal(got, 'hello world\nx\n', `cut at ${cut}`);
    }
  });

  it('passes a TTY container\'s raw output through', () => {
    const d = new FrameDemuxer();
    assert.equal(d.push(Buffer.from('plain text, no frames\n')).map((c) => c.data.toString()).join(''), 'plain text, no frames\n');
    assert.equal(d.push(Buffer.from('more\n'))[0]?.data.toString(), 'more\n');
  });
});

describe('line splitting', () => {
  it('splits on \\n, \\r\\n and \\r (progress bar redraws) and keeps the unterminated rest', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('a\nb\r\nc\rd'), ['a', 'b', 'c']);
    assert.deepEqual(s.push('e\n'), ['de']);
    assert.deepEqual(s.push('tail'), []);
    assert.deepEqual(s.flush(), ['tail']);
  });

  it('does not make an empty line of a \\r\\n split across chunks', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('a\r'), ['a']);
    assert.deepEqual(s.push('\nb\n'), ['b']);
  });

  it('decodes a UTF-8 character split across chunks', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('€\n');
    assert.deepEqual([...s.push(bytes.subarray(0, 1)), ...s.push(bytes.subarray(1))], ['€']);
  });
});

describe('log lines', () => {
  it('strips colour and cursor codes', () => {
    assert.equal(stripAnsi('\u001b[32mINFO\u001b[0m ready \u001b[2K\u001b]0;title\u0007done'), 'INFO ready done');
  });

  it('splits Docker\'s timestamp off and pads it to nanoseconds so it sorts as text', () => {
    assert.deepEqual(splitTimestamp('2026-11-26T21:08:50.1234Z hello'), { time: '2026-11-26T21:08:50.123400000Z', text: 'hello' });
    assert.deepEqual(splitTimestamp('no time'), { text: 'no time' });
  });

  it('keeps only the newest lines in a bounded buffer', () => {
    const b = new LogBuffer(3);
    for (const l of ['1', '2', '3', '4', '5']) b.push(l);
    assert.deepEqual(b.lines(), ['3', '4', '5']);
    assert.equal(b.droppedLines, 2);
    assert.equal(b.heldChars, 3);
    assert.deepEqual(b.filter('4'), ['4']);
  });
});

describe('Docker events', () => {
  it('reads a health_status event with its name and exact timeNano', () => {
    const e = parseEvent('{"status":"health_status: healthy","id":"abc","from":"img","Type":"container","Action":"health_status: healthy","Actor":{"ID":"abc","Attributes":{"name":"vllm-gpt-oss-20b","image":"img"}},"scope":"local","time":1764190800,"timeNano":1764190800123456789}');
    assert.equal(e?.action, 'health_status: healthy');
    assert.equal(e?.name, 'vllm-gpt-oss-20b');
    assert.equal(e?.timeNano, 1764190800123456789n);
  });

  it('ignores events of other object types and junk', () => {
    assert.equal(parseEvent('{"Type":"network","Action":"connect","Actor":{"ID":"n"}}'), undefined);
    assert.equal(parseEvent('not json'), undefined);
  });
});
