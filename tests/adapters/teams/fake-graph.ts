/**
 * A local Microsoft Entra token endpoint (POST /{tenant}/oauth2/v2.0/token, client credentials)
 * and Microsoft Graph (POST /v1.0/users/{id}/checkMemberGroups) for Teams group approvers. It
 * records every request, checks the bearer token it issued, and can be told to refuse (403).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphRequest {
  path: string;
  authorization: string | undefined;
  body: string;
}

export class FakeGraph {
  readonly tokenRequests: GraphRequest[] = [];
  readonly graphRequests: GraphRequest[] = [];
  /** Group ids each user (AAD object id) belongs to. */
  readonly memberships = new Map<string, string[]>();
  /** When set, Graph answers checkMemberGroups with this status and error code. */
  refuse: { status: number; code: string } | undefined;
  private readonly server: Server;
  private issued = 0;

  private constructor() {
    this.server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const path = (request.url ?? '/').split('?')[0]!;
        const entry = { path, authorization: request.headers.authorization, body };
        const json = (status: number, value: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(value));
        };
        if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) {
          this.tokenRequests.push(entry);
          const form = new URLSearchParams(body);
          if (form.get('client_secret') !== 'graph-test-secret') return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
          return json(200, { token_type: 'Bearer', expires_in: 3599, access_token: `graph-token-${++this.issued}` });
        }
        const check = /^\/v1\.0\/users\/([^/]+)\/checkMemberGroups$/.exec(path);
        if (check) {
          this.graphRequests.push(entry);
          if (!/^Bearer graph-token-\d+$/.test(request.headers.authorization ?? '')) return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
          if (this.refuse) return json(this.refuse.status, { error: { code: this.refuse.code, message: 'Insufficient privileges to complete the operation.' } });
          const asked = (JSON.parse(body) as { groupIds: string[] }).groupIds;
          const member = this.memberships.get(decodeURIComponent(check[1]!)) ?? [];
          return json(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)', value: asked.filter((id) => member.includes(id)) });
        }
        json(404, { error: { code: 'Request_ResourceNotFound', message: 'Not found.' } });
      });
    });
  }

  static async start(): Promise<FakeGraph> {
    const fake = new FakeGraph();
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
