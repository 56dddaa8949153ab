/**
 * Recognises a person asking for a change in chat: `apply: <SQL>` and natural phrasings such as
 * "please create this index: CREATE INDEX …". Returns the SQL, or undefined when the text is not
 * a change request. The SQL still goes through classification and approval.
 */

const patterns: RegExp[] = [
  /^\s*apply\s*:\s*([\s\S]+)$/i,
  /^\s*(?:please\s+)?(?:can you\s+|could you\s+)?(?:apply|run|execute|create|drop|add)\s+(?:this|the following)\s+(?:index|change|statement|sql|migration|ddl)\s*(?:please)?\s*:\s*([\s\S]+)$/i,
  /^\s*(?:please\s+)?(?:request|propose)\s+(?:a\s+)?change\s*:\s*([\s\S]+)$/i,
];

export function parseChangeRequest(text: string): string | undefined {
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    const sql = match?.[1]?.trim().replace(/^```(?:sql)?\s*|\s*```$/g, '').trim();
    if (sql) return sql;
  }
  return undefined;
}
