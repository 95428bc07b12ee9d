/**
 * Option values read the way PostgreSQL reads them (defGetBoolean in src/backend/commands/define.c):
 * no argument means true; the integers 0 and 1; the words true/false/on/off in any case, written as a
 * keyword or as any kind of string literal ('…', E'…', U&'…'). Anything else makes PostgreSQL raise an
 * error; ddlgate then assumes the option is on, the conservative reading for lock checks.
 */
export function defGetBoolean(defElem: Record<string, any> | undefined): boolean {
  if (!defElem) return false;
  const arg = defElem.arg;
  if (arg === undefined || arg === null) return true;
  if (arg.Integer) {
    const value = arg.Integer.ival ?? 0;
    return value !== 0;
  }
  if (arg.Boolean) return arg.Boolean.boolval === true;
  const text = (arg.String?.sval ?? arg.A_Const?.sval?.sval ?? arg.TypeName?.names?.at(-1)?.String?.sval) as string | undefined;
  if (typeof text === 'string') {
    const lower = text.toLowerCase();
    if (lower === 'false' || lower === 'off') return false;
    return true;
  }
  return true;
}

/** Whether an option list (VACUUM, REINDEX, EXPLAIN …) turns a boolean option on. */
export function booleanOption(options: Array<Record<string, any>> | undefined, name: string): boolean {
  let value = false;
  for (const option of options ?? []) if (option.DefElem?.defname === name) value = defGetBoolean(option.DefElem);
  return value;
}
