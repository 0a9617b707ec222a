// Authentication of REST requests: bearer tokens, API keys (header or query), HTTP basic, and OAuth2
// client credentials (a token fetched once and refreshed shortly before it expires).

import { SluiceError } from '../../errors';
import type { AuthConfig } from './config';
import type { Masker } from './secrets';

export interface Authenticator {
  /** Adds credentials to a request about to be sent. */
  apply(url: URL, headers: Headers, signal: AbortSignal): Promise<void>;
}

export function authenticator(auth: AuthConfig | undefined, masker: Masker): Authenticator {
  if (!auth) return { apply: async () => undefined };
  switch (auth.type) {
    case 'bearer':
      masker.add(auth.token);
      return { apply: async (_, headers) => headers.set('Authorization', `Bearer ${auth.token}`) };
    case 'api_key': {
      masker.add(auth.api_key);
      const name = auth.name ?? 'Authorization';
      if (auth.location === 'query') return { apply: async (url) => url.searchParams.set(name, auth.api_key) };
      return { apply: async (_, headers) => headers.set(name, auth.api_key) };
    }
    case 'http_basic': {
      masker.add(auth.password);
      const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      masker.add(encoded);
      return { apply: async (_, headers) => headers.set('Authorization', `Basic ${encoded}`) };
    }
    case 'oauth2_client_credentials':
      return new ClientCredentials(auth, masker);
  }
}

/** Refresh this long before the token's stated expiry, so a request never goes out with a dying token. */
const EXPIRY_MARGIN_MS = 30_000;

class ClientCredentials implements Authenticator {
  private token?: string;
  private expiresAt = 0;

  constructor(
    private readonly auth: Extract<AuthConfig, { type: 'oauth2_client_credentials' }>,
    private readonly masker: Masker,
  ) {
    masker.add(auth.client_secret);
  }

  async apply(_: URL, headers: Headers, signal: AbortSignal): Promise<void> {
    if (!this.token || Date.now() >= this.expiresAt - EXPIRY_MARGIN_MS) await this.refresh(signal);
    headers.set('Authorization', `Bearer ${this.token}`);
  }

  private async refresh(signal: AbortSignal): Promise<void> {
    const { auth } = this;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: auth.client_id,
      client_secret: auth.client_secret,
      ...auth.access_token_request_data,
    });
    const where = this.masker.mask(auth.access_token_url);
    let response: Response;
    try {
      response = await fetch(auth.access_token_url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body,
        signal,
      });
    } catch (err) {
      throw new SluiceError(`OAuth2 token request to ${where} failed: ${this.masker.mask(String((err as Error)?.message ?? err))}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new SluiceError(`OAuth2 token request to ${where} returned ${response.status}: ${this.masker.mask(text.slice(0, 500))}`);
    }
    let json: { access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text);
    } catch {
      throw new SluiceError(`OAuth2 token response from ${where} is not JSON: ${this.masker.mask(text.slice(0, 200))}`);
    }
    if (typeof json.access_token !== 'string' || !json.access_token) {
      throw new SluiceError(`OAuth2 token response from ${where} has no access_token`);
    }
    this.token = json.access_token;
    this.masker.add(this.token);
    const seconds = typeof json.expires_in === 'number' ? json.expires_in : auth.default_token_expiration ?? 3600;
    this.expiresAt = Date.now() + seconds * 1000;
  }
}
