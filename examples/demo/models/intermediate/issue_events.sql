-- Everything that happened to an issue, one row per event: opened, commented, closed.
MODEL (
  name intermediate.issue_events,
  kind VIEW
);

SELECT
  issue_number,
  'opened' AS event_type,
  author_login AS actor_login,
  created_at AS event_at
FROM staging.issues
UNION ALL
SELECT
  issue_number,
  'commented',
  commenter_login,
  commented_at
FROM staging.comments
UNION ALL
SELECT
  issue_number,
  'closed',
  NULL,
  closed_at
FROM staging.issues
WHERE closed_at IS NOT NULL
