/**
 * Lines are substrings of a 1 MB decoded chunk, and V8 keeps the whole chunk alive as long as
 * any substring of it is referenced. Everything the analysis keeps (examples, map keys) is
 * copied with `detach` so memory stays bounded by the state, not by the file.
 */
export function detach(text: string): string;
export function detach(text: string | undefined): string | undefined;
export function detach(text: string | undefined): string | undefined {
  return text === undefined ? undefined : Buffer.from(text, 'utf8').toString('utf8');
}
