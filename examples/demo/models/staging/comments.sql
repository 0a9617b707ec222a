-- Issue comments.
MODEL (
  name staging.comments,
  kind VIEW,
  grain comment_id
);

SELECT
  id AS comment_id,
  issue_number,
  user__login AS commenter_login,
  created_at AS commented_at,
  length(body) AS body_length
FROM github.comments
