-- Labels of each issue: the nested labels list is loaded as a child table, joined back by its parent id.
MODEL (
  name staging.issue_labels,
  kind VIEW,
  grain (issue_id, label)
);

SELECT
  i.id AS issue_id,
  l.name AS label,
  l.color AS label_color
FROM github.issues__labels AS l
JOIN github.issues AS i
  ON l._sluice_parent_id = i._sluice_id
