-- One row per GitHub issue, with the nested user and reaction fields given plain names.
MODEL (
  name staging.issues,
  kind VIEW,
  grain issue_id,
  column_descriptions (
    author_login = 'GitHub login of whoever opened the issue',
    reaction_count = 'All reactions, whatever the emoji'
  )
);

SELECT
  id AS issue_id,
  number AS issue_number,
  title,
  state,
  user__login AS author_login,
  author_association,
  comments AS comment_count,
  reactions__total_count AS reaction_count,
  milestone__title AS milestone,
  created_at,
  closed_at
FROM github.issues
