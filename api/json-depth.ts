import type { RequestHandler } from 'express';
import { AppError } from './errors';

/** Deeper than any body the API takes (a decision's fields are a few levels at most). */
export const maxJsonDepth = 32;

/** How deeply `value` nests objects and arrays, counted without recursion; stops past `limit`. */
export function nestingDepth(value: unknown, limit = maxJsonDepth): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (!item || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** Refuses a JSON body nested deeper than `maxJsonDepth`, before anything walks it recursively. */
export const refuseDeepJson: RequestHandler = (req, _res, next) => {
  if (nestingDepth(req.body) > maxJsonDepth) {
    return next(new AppError('too_deep', 400, `body: nested deeper than ${maxJsonDepth} levels of objects and arrays`));
  }
  next();
};
