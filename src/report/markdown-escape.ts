/**
 * Escaping for GitHub-flavoured markdown built from untrusted text (migration files, identifiers,
 * database error messages). Everything that comes from a file goes through one of these functions
 * before it reaches a PR comment or a job summary: a migration must not be able to inject HTML,
 * ping people, break out of a code block or forge ddlgate's comment marker.
 */

/** Zero-width space: invisible, but stops GitHub from recognising a mention or a comment opener. */
const ZWSP = '\u200b';

/**
 * Breaks every `<!--` (the marker prefix) so file content can never contain text that reads as an
 * HTML comment, in particular a forged `<!-- ddlgate:report:… -->` marker.
 */
export function neutraliseCommentOpeners(text: string): string {
  return text.replace(/<!--/g, `<!${ZWSP}--`);
}

/** `@user` and `@org/team` stop being mentions (no notification) but still read the same. */
export function neutraliseMentions(text: string): string {
  // Only an e-mail address (a letter or digit right before the @) is left alone.
  return text.replace(/(^|[^A-Za-z0-9])@(?=[A-Za-z0-9])/g, `$1@${ZWSP}`);
}

/** Longest run of consecutive backticks in a text. */
export function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const match of text.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return longest;
}

/**
 * A fenced code block that the content cannot close: the fence is one backtick longer than the
 * longest backtick run inside (and at least three).
 */
export function codeFence(code: string, language = ''): string {
  const body = neutraliseCommentOpeners(code.replace(/\r\n?/g, '\n')).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}${language}\n${body}\n${fence}`;
}

/**
 * Text shown as markdown prose or inside a table cell: HTML and markdown syntax are escaped, line
 * breaks become spaces (a cell must stay on one line), mentions and comment openers are neutralised.
 */
export function escapeMarkdown(text: string): string {
  const escaped = text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
    // A leading "-", "=" or "1." would start a list or a heading underline when the text opens a line.
    .replace(/^(\s*)([-=]|\d+(?=[.)]))/, (_, space: string, lead: string) => (/^\d/.test(lead) ? `${space}${lead}\\` : `${space}\\${lead}`));
  return neutraliseMentions(escaped);
}

/**
 * Inline code for identifiers, rule ids, file paths: delimiters longer than any backtick run inside,
 * padded when the content starts or ends with a backtick. Newlines become spaces. In a table cell `|`
 * is escaped, because GitHub splits cells on it even inside code spans.
 */
export function inlineCode(text: string, { inTable = false }: { inTable?: boolean } = {}): string {
  let body = neutraliseCommentOpeners(text.replace(/\r\n?|\n/g, ' '));
  if (inTable) body = body.replace(/\|/g, '\\|');
  const ticks = '`'.repeat(longestBacktickRun(body) + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body.startsWith(' ') ? ' ' : '';
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** A URL used as a link target: only http(s), and without characters that end a markdown link. */
export function safeUrl(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  return url.replace(/[()<>\s"'`\\]/g, (c) => encodeURIComponent(c));
}

/** `[text](url)` with escaped text, or just the escaped text when the URL is not usable. */
export function link(text: string, url: string | undefined): string {
  const target = url ? safeUrl(url) : undefined;
  return target ? `[${escapeMarkdown(text)}](${target})` : escapeMarkdown(text);
}

/** The text of a `<summary>`: HTML-escaped (markdown is not rendered there, mentions still are). */
export function escapeHtml(text: string): string {
  return neutraliseMentions(
    text
      .replace(/\r\n?|\n/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;'),
  );
}

/** Cuts a text to at most `max` characters (by code point), marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
