// A CRM export with the keys real exports have: spaces, punctuation, camelCase, unicode, a leading digit.
import { defineSource } from 'sluice';

export default defineSource({
  name: 'legacy_crm',
  resources: [
    {
      name: 'contacts',
      primaryKey: 'Contact ID',
      writeDisposition: 'replace',
      rows: () => [
        {
          'Contact ID': 1,
          'Full Name': 'Ada Lovelace',
          'E-mail Address': 'ada@example.com',
          'Phone #': '+44 20 7946 0000',
          'ZIP/Postal Code': 'N1 9GU',
          'Notes (internal)': 'Prefers "analytical engine" to "computer"; send invoices by post.',
          'Größe': 'M',
          '2FA enabled': true,
          lastContactedAt: '2024-03-01T09:30:00+01:00',
          'Address.Line 1': '12 St James Sq',
          signupDate: '2023-11-05',
          lifetimeValue: 12345678901234567890n,
          tags: ['vip', 'uk'],
        },
        {
          'Contact ID': 2,
          'Full Name': "Grace O'Hopper",
          'E-mail Address': 'grace@example.com',
          'Phone #': null,
          'ZIP/Postal Code': '10001',
          'Notes (internal)': 'Multi-line\nnote, with, commas',
          'Größe': 'S',
          '2FA enabled': false,
          lastContactedAt: '2024-02-11T17:00:00Z',
          'Address.Line 1': '1 Navy Way',
          signupDate: '2022-01-20',
          lifetimeValue: 42n,
          tags: [],
        },
      ],
    },
  ],
});
