/**
 * The documentation stands on its own in both languages: every page under docs/ has a Russian
 * counterpart under docs/ru/ (and no Russian page lacks its English one) with the same shape (headings,
 * table rows, code blocks — what drifts first when one side is edited), every relative link in them
 * (and in native/README.md) reaches an existing file — and heading, for `#anchors` — with Russian
 * pages linking to Russian pages, and no product page points to a `shared/` file users of the
 * repository do not have.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './support/processes.js';

const DOCS = join(ROOT, 'docs');
const RU = join(DOCS, 'ru');
const pages = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.md')).sort();

/** The .bsl and .html files under a folder, recursively. */
function exampleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? exampleFiles(join(dir, e.name)) : /\.(bsl|html)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLocaleLowerCase('ru').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => headingAnchor(m[1] as string)));
}

/** Problems with the relative links of one Markdown file ("file: link — what is wrong"). */
function linkProblems(file: string, source = readFileSync(file, 'utf8')): string[] {
  const problems: string[] = [];
  const text = source.replace(/```[\s\S]*?```/g, '');
  const name = relative(ROOT, file);
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const link = m[1] as string;
    if (/^[a-z]+:/i.test(link)) continue;
    const [path = '', anchor] = link.split('#');
    const target = path === '' ? file : resolve(dirname(file), path);
    if (!existsSync(target)) {
      problems.push(`${name}: ${link} — no such file`);
      continue;
    }
    if (file.startsWith(RU) && target.startsWith(DOCS) && !target.startsWith(RU) && target.endsWith('.md')) {
      problems.push(`${name}: ${link} — a Russian page links to an English page`);
    }
    if (anchor !== undefined && target.endsWith('.md') && !anchors(target).has(decodeURIComponent(anchor))) {
      problems.push(`${name}: ${link} — no heading #${anchor} there`);
    }
  }
  return problems;
}

describe('documentation', () => {
  it('every page exists in English and in Russian', () => {
    assert.deepEqual(pages(RU), pages(DOCS));
    assert.ok(pages(DOCS).length >= 13, `found ${pages(DOCS).length} pages`);
  });

  it('each Russian page keeps in step with its English one: the same headings, table rows and code blocks', () => {
    const shape = (text: string): { headings: number[]; rows: number; code: number } => {
      const prose = text.replace(/```[\s\S]*?```/g, '');
      return {
        headings: [...prose.matchAll(/^(#{2,6})\s/gm)].map((m) => (m[1] as string).length),
        rows: prose.split('\n').filter((l) => l.startsWith('|')).length,
        code: (text.match(/```/g) ?? []).length,
      };
    };
    for (const page of pages(RU)) {
      let english = readFileSync(join(DOCS, page), 'utf8');
      // a page that is bilingual itself (slack-socket-mode.md): compare with its English half, one level up
      const half = /^## English\s*$/m.exec(english);
      if (half) english = english.slice(half.index + half[0].length).replace(/^#(#{2,6}\s)/gm, '$1');
      assert.deepEqual(shape(readFileSync(join(RU, page), 'utf8')), shape(english), `docs/ru/${page} against docs/${page}`);
    }
  });

  it('the Russian pages are in Russian', () => {
    for (const page of pages(RU)) {
      const text = readFileSync(join(RU, page), 'utf8').replace(/```[\s\S]*?```|`[^`]*`/g, '');
      const cyrillic = (text.match(/[А-Яа-яЁё]/g) ?? []).length;
      const latin = (text.match(/[A-Za-z]/g) ?? []).length;
      assert.ok(cyrillic > latin, `docs/ru/${page}: ${cyrillic} Cyrillic letters, ${latin} Latin`);
    }
  });

  it('relative links reach existing files and headings; Russian pages link to Russian pages', () => {
    const files = [...pages(DOCS).map((p) => join(DOCS, p)), ...pages(RU).map((p) => join(RU, p)), join(ROOT, 'native/README.md')];
    assert.deepEqual(files.flatMap((f) => linkProblems(f)), []);
  });

  it('the link check can fail', () => {
    assert.equal(headingAnchor('12. Packaging and attaching'), '12-packaging-and-attaching');
    assert.equal(headingAnchor('Внешние события (оба класса)'), 'внешние-события-оба-класса');
    const page = join(RU, 'pretend.md');
    assert.deepEqual(
      linkProblems(page, '[a](no-such-page.md) [b](../features.md) [c](features.md#no-such-heading) [d](features.md#внешние-события-оба-класса) [e](https://example.org/x.md)\n'),
      [
        'docs/ru/pretend.md: no-such-page.md — no such file',
        'docs/ru/pretend.md: ../features.md — a Russian page links to an English page',
        'docs/ru/pretend.md: features.md#no-such-heading — no heading #no-such-heading there',
      ],
    );
  });

  it('no product page points to a shared/ file', () => {
    const files = [
      ...pages(DOCS).map((p) => join(DOCS, p)),
      ...pages(RU).map((p) => join(RU, p)),
      join(ROOT, 'native/README.md'),
      ...exampleFiles(join(ROOT, 'examples')),
    ];
    const offenders = files.filter((f) => /(^|[\s`(/])shared\//m.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    assert.deepEqual(offenders, []);
  });
});
