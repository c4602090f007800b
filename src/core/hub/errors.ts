/**
 * What can go wrong reading a model from the Hugging Face Hub, one class per cause, each with the
 * fix a user can apply. The CLI prints `message — fix` as one line; the extension shows the fix.
 */
import { SparkError } from '../errors';

/** Any failure to read a repository from the Hub (or the stand-in at `HF_ENDPOINT`). */
export class HubError extends SparkError {
  constructor(
    readonly repo: string,
    message: string,
    fix: string,
  ) {
    super(message, fix);
  }
}

/** The repository is gated (its license must be accepted) and no token, or a token without access, was sent. */
export class HubGatedError extends HubError {
  constructor(repo: string, endpoint: string, hadToken: boolean) {
    super(
      repo,
      `${repo} is gated: its files need a Hugging Face token of an account that accepted its terms${hadToken ? ', and the stack\'s HF_TOKEN has no access yet' : ', and the stack has no HF_TOKEN'}`,
      hadToken
        ? `Accept the model's terms at ${endpoint}/${repo} with the account of HF_TOKEN, then retry`
        : `Accept the model's terms at ${endpoint}/${repo}, put a read token in the stack's .env (HF_TOKEN=hf_…), run sync-env, then retry`,
    );
  }
}

/** Without a token the Hub answers "not found" for a private repository too, so both are this one error. */
export class HubPrivateError extends HubError {
  constructor(repo: string) {
    super(repo, `${repo} was not found, or it is private and needs a token`, 'Check the repository id (owner/name); for a private repository put a token with access in the stack\'s .env (HF_TOKEN=hf_…)');
  }
}

/** The repository (or revision) does not exist for this token. */
export class HubNotFoundError extends HubError {
  constructor(repo: string, endpoint: string, revision?: string) {
    super(
      repo,
      revision ? `${repo} has no revision "${revision}"` : `${repo} does not exist on ${endpoint} (or the stack's HF_TOKEN cannot see it)`,
      revision ? `Use a branch, tag or commit of ${endpoint}/${repo} (e.g. main)` : `Check the spelling (owner/name, as in ${endpoint}/owner/name)`,
    );
  }
}

/** The token was refused outright. */
export class HubAuthError extends HubError {
  constructor(repo: string) {
    super(repo, 'the Hub refused the stack\'s HF_TOKEN (invalid or expired)', 'Create a new read token at huggingface.co/settings/tokens, put it in the stack\'s .env (HF_TOKEN=hf_…) and run sync-env');
  }
}

export class HubRateLimitedError extends HubError {
  constructor(repo: string, retryAfterSeconds?: number) {
    super(
      repo,
      `the Hub is rate limiting requests${retryAfterSeconds !== undefined ? ` (retry after ${retryAfterSeconds} s)` : ''}`,
      'Wait and retry; a token in the stack\'s .env (HF_TOKEN=hf_…) raises the limits',
    );
  }
}

/** The Hub could not be reached, or the connection broke part-way through. */
export class HubNetworkError extends HubError {
  constructor(repo: string, endpoint: string, cause: string) {
    super(repo, `cannot reach ${endpoint} (${cause})`, 'Check the network (or HF_ENDPOINT), then retry; answers read once are cached in the stack and work offline');
  }
}

export class HubTimeoutError extends HubError {
  constructor(repo: string, endpoint: string, seconds: number) {
    super(repo, `${endpoint} did not answer within ${seconds} s`, 'Retry when the network is better (or point HF_ENDPOINT at a mirror)');
  }
}

/** The Hub answered with something that is not what it documents (e.g. a 5xx or a broken JSON body). */
export class HubResponseError extends HubError {
  constructor(repo: string, problem: string) {
    super(repo, problem, 'Retry later; if it persists the repository\'s files are malformed, so pick another revision or repository');
  }
}

/**
 * The Hub's listing (or the mirror's at `HF_ENDPOINT`) names a file, hash or commit that could
 * not be a path inside the cache: the whole listing is refused before anything is written.
 */
export class HubListingError extends HubError {
  constructor(repo: string, endpoint: string, problem: string) {
    super(
      repo,
      `refusing the answer of ${endpoint} for ${repo}: ${problem}; nothing was written`,
      'The Hub never answers this: check that HF_ENDPOINT (the process environment, else the stack\'s .env) names the Hub or a mirror you trust — or remove it to use https://huggingface.co — then retry',
    );
  }
}

/** `HF_TOKEN` would go over plain HTTP to a machine other than this one: refused before any request. */
export class HubTokenOverHttpError extends SparkError {
  constructor(readonly endpoint: string) {
    super(
      `HF_TOKEN is not sent over plain HTTP: HF_ENDPOINT is ${endpoint}, which is not this machine, so anyone on the way could read the token; nothing was sent`,
      'Use https:// in HF_ENDPOINT (the process environment, else the stack\'s .env), or remove HF_TOKEN when the mirror needs none',
    );
  }
}
