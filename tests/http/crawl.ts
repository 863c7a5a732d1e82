/**
 * Crawls the dashboard's HTML pages from a start page and lists every URL they hold (link,
 * script, stylesheet, form action, the live stream's base) that leaves a prefix: what the
 * tests of `createApp({ basePath })` check is empty.
 *
 * @example
 * ```ts ignore
 * const { pages, escapes } = await crawl((path) => fetch(`${origin}${path}`), "/admin/tq");
 * assertEquals(escapes, []);
 * ```
 * @module
 */

/** What a crawl found. */
export interface CrawlResult {
  /** Every HTML page fetched, by path. */
  pages: string[];
  /** Every URL found outside the prefix, as "page -> url". */
  escapes: string[];
  /** Every URL found, for a test to check some are there. */
  urls: Set<string>;
}

const ATTRIBUTE = /\b(href|src|action|content)="([^"]*)"/g;

function decode(text: string): string {
  return text.replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#39;", "'");
}

/** Whether `url` stays under `prefix`. */
export function underPrefix(url: string, prefix: string): boolean {
  return url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);
}

/**
 * Fetches `prefix` (the overview) and every page it links to (GET links under the prefix, at most
 * `maxPages`), collecting the URLs of each page.
 */
export async function crawl(
  get: (path: string) => Promise<Response>,
  prefix: string,
  maxPages = 60,
): Promise<CrawlResult> {
  const queue = [prefix];
  const seen = new Set(queue);
  const pages: string[] = [];
  const escapes: string[] = [];
  const urls = new Set<string>();
  while (queue.length > 0 && pages.length < maxPages) {
    const path = queue.shift()!;
    const res = await get(path);
    const type = res.headers.get("content-type") ?? "";
    if (res.status !== 200 || !type.startsWith("text/html")) {
      await res.body?.cancel();
      continue;
    }
    pages.push(path);
    const text = await res.text();
    for (const [tag] of text.matchAll(/<(a|link|script|form|meta)\b[^>]*>/g)) {
      for (const [, name, raw] of tag.matchAll(ATTRIBUTE)) {
        if (name === "content" && !tag.includes('name="tq-base"')) continue;
        const url = decode(raw);
        if (url.startsWith("#") || /^[a-z]+:/.test(url)) continue; // in-page, or data:/http:
        urls.add(url);
        if (!underPrefix(url, prefix)) escapes.push(`${path} -> ${url}`);
        const follow = name === "href" && tag.startsWith("<a") && underPrefix(url, prefix);
        if (follow && !seen.has(url)) {
          seen.add(url);
          queue.push(url);
        }
      }
    }
  }
  return { pages, escapes, urls };
}
