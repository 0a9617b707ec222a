-- One row per issue: who opened it, its labels, how much discussion it got and how fast.
MODEL (
  name analytics.issue_activity,
  kind FULL,
  grain issue_number
);

WITH labels AS (
  SELECT
    issue_id,
    string_agg(label, ', ' ORDER BY label) AS labels
  FROM staging.issue_labels
  GROUP BY issue_id
),
activity AS (
  SELECT
    issue_number,
    count(*) FILTER (WHERE event_type = 'commented') AS comments,
    count(DISTINCT actor_login) AS participants,
    min(event_at) FILTER (WHERE event_type = 'commented') AS first_comment_at,
    max(event_at) AS last_activity_at
  FROM intermediate.issue_events
  GROUP BY issue_number
)
SELECT
  i.issue_number,
  i.title,
  i.state,
  i.author_login,
  l.labels,
  coalesce(a.comments, 0) AS comments,
  a.participants,
  date_diff('hour', i.created_at, a.first_comment_at) AS hours_to_first_comment,
  a.last_activity_at,
  rank() OVER (ORDER BY a.participants DESC NULLS LAST) AS participation_rank
FROM staging.issues AS i
LEFT JOIN labels AS l USING (issue_id)
LEFT JOIN activity AS a USING (issue_number)
