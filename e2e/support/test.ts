// The `test` every spec imports instead of @playwright/test's: a test fails when one of its
// pages logged a console error, threw an uncaught exception, or had a request fail (a network
// error, or an HTTP status of 400 or more) — a 404 on any demo page cannot go unnoticed.
// A test that provokes such failures on purpose names them with allowPageProblems().
import { type BrowserContext, test as base, expect, type Page } from '@playwright/test';

export { expect };

/** What went wrong on a page, with the page's path. */
export interface PageProblem {
  page: string;
  problem: string;
}

/** Problems seen on any page and not yet checked by a test. */
const unchecked: PageProblem[] = [];
const watchedContexts = new WeakSet<BrowserContext>();
let allowedProblems: RegExp[] = [];

/** Lets the current test's pages have problems that match one of `patterns`. */
export function allowPageProblems(...patterns: RegExp[]): void {
  allowedProblems.push(...patterns);
}

function watchContext(context: BrowserContext): void {
  if (watchedContexts.has(context)) return;
  watchedContexts.add(context);
  for (const page of context.pages()) watchPage(page);
  context.on('page', watchPage);
}

function watchPage(page: Page): void {
  const report = (problem: string) => {
    const url = page.url();
    unchecked.push({ page: url.startsWith('http') ? new URL(url).pathname : url, problem });
  };
  page.on('console', (message) => {
    if (message.type() === 'error') report(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => report(`uncaught ${error.name}: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    // A request cut short because its page navigated or closed is no failure of the page.
    if (reason === 'net::ERR_ABORTED') return;
    report(`${request.method()} ${request.url()} failed: ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) report(`HTTP ${response.status()} for ${response.url()}`);
  });
}

export const test = base.extend<{ pageProblemCheck: undefined }, { pageProblemWatch: undefined }>({
  // Every context of the worker's browser, the `page` fixture's and those specs open
  // themselves (browser.newContext(), in beforeAll hooks too), has its pages watched.
  pageProblemWatch: [
    async ({ browser }, use) => {
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...options) => {
        const context = await newContext(...options);
        watchContext(context);
        return context;
      };
      await use(undefined);
      browser.newContext = newContext;
    },
    { scope: 'worker', auto: true },
  ],
  // Checked after each test: what its pages (and hooks since the previous test) ran into.
  pageProblemCheck: [
    async ({ pageProblemWatch: _watching }, use) => {
      allowedProblems = [];
      await use(undefined);
      const problems = unchecked
        .splice(0)
        .filter(({ problem }) => !allowedProblems.some((pattern) => pattern.test(problem)));
      expect(problems, 'console errors and failed requests on the pages').toEqual([]);
    },
    { auto: true },
  ],
});
