// Tickets from a helpdesk's REST API, declared instead of hand-written: bearer auth from a secret,
// page-numbered tickets read incrementally, each ticket's messages as a dependent resource.
// `npm run demo` starts a local copy of the API (scripts/demoApi.mjs) and sets HELPDESK_API_URL.
import { restApiSource } from 'sluice';

export default restApiSource({
  name: 'helpdesk',
  client: {
    base_url: process.env.HELPDESK_API_URL ?? 'http://127.0.0.1:4010/api/',
    auth: { type: 'bearer', token: '${secrets.HELPDESK_TOKEN}' },
    paginator: { type: 'page_number', base_page: 1, page_param: 'page', total_path: 'meta.total_pages' },
  },
  resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
  resources: [
    {
      name: 'tickets',
      endpoint: {
        path: 'tickets',
        data_selector: 'tickets',
        params: { updated_since: { type: 'incremental', cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z' } },
      },
    },
    {
      name: 'ticket_messages',
      endpoint: { path: 'tickets/{resources.tickets.id}/messages', paginator: 'single_page' },
      include_from_parent: ['id'],
    },
    // Shorthand: the path is the name; the paginator and the list in the response are found by looking.
    { name: 'agents', endpoint: { path: 'agents', paginator: 'auto' } },
  ],
});
