// Scans a captured server log for secret values in every form they could leak in: as sent, URL-encoded
// (both percent and form encoding), JSON-escaped, and inside an HTTP Basic header.

/** A secret to look for; `basicLogin` adds the base64 of `<basicLogin>:<value>` (what an Authorization header carries). */
export interface LoggedSecret {
  /** Shown in the failure, e.g. "master password". */
  name: string;
  value: string;
  basicLogin?: string;
}

export interface SecretLeak {
  secret: string;
  form: string;
  /** 1-based line number in the log. */
  line: number;
  text: string;
}

/** Secrets shorter than this would match by accident; tests must use longer ones. */
export const MIN_SECRET_LENGTH = 8;

function formsOf(secret: LoggedSecret): Map<string, string> {
  const { value } = secret;
  const forms = new Map<string, string>([
    ['raw', value],
    ['percent-encoded', encodeURIComponent(value)],
    ['form-encoded', new URLSearchParams({ v: value }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(value).slice(1, -1)],
    ['base64', Buffer.from(value, 'utf8').toString('base64')],
  ]);
  if (secret.basicLogin !== undefined) forms.set('Basic credentials (base64)', Buffer.from(`${secret.basicLogin}:${value}`, 'utf8').toString('base64'));
  // A Buffer serialised by JSON.stringify (`{"type":"Buffer","data":[…]}`) shows its bytes as numbers.
  for (const [form, text] of [...forms]) forms.set(`${form} as JSON bytes`, [...Buffer.from(text, 'utf8')].join(','));
  return forms;
}

/** Every line of `log` containing one of the secrets in any of its forms. */
export function findSecretLeaks(log: string, secrets: readonly LoggedSecret[]): SecretLeak[] {
  for (const secret of secrets) {
    if (secret.value.length < MIN_SECRET_LENGTH) throw new Error(`secret "${secret.name}" is shorter than ${MIN_SECRET_LENGTH} characters: it would match by accident`);
  }
  const needles = secrets.flatMap((secret) => [...formsOf(secret)].map(([form, text]) => ({ secret: secret.name, form, text })));
  const leaks: SecretLeak[] = [];
  const lines = log.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    for (const needle of needles) {
      if (line.includes(needle.text)) leaks.push({ secret: needle.secret, form: needle.form, line: index + 1, text: line });
    }
  }
  return leaks;
}

/** A failure message naming each leaking line (cut to a readable length), or undefined when clean. */
export function describeSecretLeaks(leaks: readonly SecretLeak[]): string | undefined {
  if (leaks.length === 0) return undefined;
  const shown = leaks.slice(0, 20).map((leak) => `  line ${leak.line}: ${leak.secret} (${leak.form}) in ${leak.text.slice(0, 400)}`);
  return `${leaks.length} log line(s) contain secrets:\n${shown.join('\n')}${leaks.length > 20 ? `\n  … and ${leaks.length - 20} more` : ''}`;
}
