/**
 * The neutral Reply as JSON for the web chat page: the same blocks, with PNG bytes turned into
 * data URLs so the page can show images inline without a second request.
 */
import type { Reply, ReplyBlock } from '../../tools/reply.js';

export type WebBlock = Exclude<ReplyBlock, { type: 'image' }> | { type: 'image'; src: string; title: string; alt: string };

export function toWebBlocks(reply: Reply): WebBlock[] {
  return reply.blocks.map((block) =>
    block.type === 'image'
      ? { type: 'image', src: `data:image/png;base64,${block.png.toString('base64')}`, title: block.title, alt: block.alt }
      : block,
  );
}
