/** Removes credentials from any text that may reach a user: URLs with passwords and password=… pairs. */
const knownSecrets = new Set<string>();

export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 3) knownSecrets.add(secret);
}

export function scrubSecrets(text: string): string {
  let scrubbed = text
    // The documented placeholder `user:password@` is not a secret: masking it printed `user:***@` in hints.
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)([^@\s]*)@/gi, (match, prefix: string, password: string) => (/^(user:)?$/.test(prefix.replace(/^postgres(?:ql)?:\/\//i, '')) && password === 'password' ? match : `${prefix}***@`))
    .replace(/(password\s*=\s*)('[^']*'|"[^"]*"|\S+)/gi, '$1***');
  for (const secret of knownSecrets) {
    scrubbed = scrubbed.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) scrubbed = scrubbed.split(encoded).join('***');
  }
  return scrubbed;
}
