// Issues and comments from a bundled GitHub API export (data/github_issues.json): nested users,
// label and assignee lists, nullable milestones, reactions with awkward keys ('+1', '-1').
import fs from 'node:fs';
import path from 'node:path';
import { defineSource } from 'sluice';

interface Issue {
  id: number;
  number: number;
  updated_at: string;
  comments: number;
  [key: string]: unknown;
}

const dataDir = path.join(__dirname, '..', 'data');
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(dataDir, file), 'utf8')) as T;

let comments: Map<number, Record<string, unknown>[]> | undefined;
function commentsByIssue(): Map<number, Record<string, unknown>[]> {
  if (!comments) {
    comments = new Map();
    for (const c of readJson<{ issue_number: number }[]>('github_comments.json')) {
      const list = comments.get(c.issue_number) ?? [];
      list.push(c);
      comments.set(c.issue_number, list);
    }
  }
  return comments;
}

export default defineSource({
  name: 'github',
  resources: [
    {
      name: 'issues',
      primaryKey: 'id',
      writeDisposition: 'merge',
      incremental: { cursor: 'updated_at', initialValue: '2024-01-01T00:00:00Z' },
      *rows(ctx) {
        const issues = readJson<Issue[]>('github_issues.json');
        // An API would be asked for "updated since"; the export is filtered the same way.
        const since = String(ctx.incremental?.start ?? '');
        // Pages of 50, as the GitHub API returns them.
        const page: Issue[] = [];
        for (const issue of issues) {
          if (issue.updated_at < since) continue;
          page.push(issue);
          if (page.length === 50) yield page.splice(0);
        }
        if (page.length > 0) yield page;
      },
    },
    {
      name: 'comments',
      primaryKey: 'id',
      writeDisposition: 'merge',
      // Fed by each issue: fetches that issue's comments, as a per-issue API call would.
      transformer: {
        from: 'issues',
        transform(issue) {
          if ((issue as Issue).comments === 0) return undefined;
          return commentsByIssue().get((issue as Issue).number) ?? [];
        },
      },
    },
  ],
});
