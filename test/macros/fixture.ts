// A project whose models call TypeScript macros: macros/utils.ts exports add_one (called @ADD_ONE), MASK
// and model_label, written as docs/models.md shows; a seed with a missing e-mail and a missing spend.

export const UTILS_TS = `import type { MacroEvaluator } from 'sluice';

/** @ADD_ONE(x): x + 1. */
export function add_one(_evaluator: MacroEvaluator, value: string): string {
  return \`(\${value}) + 1\`;
}

/** @MASK(column[, 'char']): every character but '@' and '.' replaced (NULL stays NULL). */
export function MASK(evaluator: MacroEvaluator, column: string, mask = "'*'"): string {
  const char = evaluator.stringValue(mask);
  if (char === undefined || char.length !== 1) {
    throw new Error(\`the mask must be one character in quotes, got \${mask}\`);
  }
  return \`regexp_replace(\${column}, '[^@.]', \${evaluator.literal(char)}, 'g')\`;
}

/** @MODEL_LABEL(): the model's name and environment as a string. */
export function model_label(evaluator: MacroEvaluator): string {
  return evaluator.literal(\`\${evaluator.model}@\${evaluator.environment}\`);
}
`;

export const REPORT_SQL = `MODEL (name shop.customer_report, kind FULL);

SELECT
  id,
  @MASK(email, '#') AS masked_email,
  @ADD_ONE(spend * 2) AS spend_score,
  @MODEL_LABEL() AS built_by
FROM shop.customers
`;

export const macroProjectFiles: Record<string, string> = {
  'macros/utils.ts': UTILS_TS,
  'seeds/customers.csv': 'id,email,spend\n1,ada@example.com,10.5\n2,,3\n3,grace.hopper@navy.mil,\n',
  'models/customers.sql': "MODEL (name shop.customers, kind SEED (path '../seeds/customers.csv'), columns (id INT, email TEXT, spend DOUBLE));\n",
  'models/customer_report.sql': REPORT_SQL,
};
