/**
 * Bot Framework authentication that reuses its outbound clients. CloudAdapter asks for a new
 * ConnectorClient and UserTokenClient on every turn, and each builds a complete HTTP pipeline
 * (policies, serializer, agent): with an answer sent as a proactive turn after the
 * acknowledgement, that was three connector and three token clients per message, the biggest
 * CPU cost of the Teams path under load. The clients hold no per-turn state (tokens live in the
 * SDK's global token cache), so one per bot identity, service URL and audience is enough.
 */
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;
type ClaimsIdentity = Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0];
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;
type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/** Teams uses a handful of regional service URLs; the bound only guards against a flood of odd ones. */
const maxClients = 64;

export class ReusedClientsAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new Map<string, Promise<ConnectorClient>>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  override async authenticateRequest(activity: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>[0], authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.connectorFactory, result.claimsIdentity) } : result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(super.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return remember(this.tokenClients, identityKey(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  private reusing(factory: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const identity = identityKey(claimsIdentity);
    return {
      create: (serviceUrl: string, audience: string) => remember(this.connectors, `${identity}\u0000${serviceUrl}\u0000${audience}`, () => factory.create(serviceUrl, audience)),
    } as ConnectorFactory;
  }
}

/** The claims that decide which credentials a client gets (the bot's app id, as audience or caller). */
function identityKey(claimsIdentity: ClaimsIdentity): string {
  return ['aud', 'appid', 'azp', 'ver'].map((claim) => claimsIdentity.getClaimValue(claim) ?? '').join('\u0000');
}

function remember<T>(cache: Map<string, Promise<T>>, key: string, create: () => Promise<T>): Promise<T> {
  const known = cache.get(key);
  if (known) return known;
  if (cache.size >= maxClients) cache.delete(cache.keys().next().value!);
  const created = create();
  cache.set(key, created);
  // A failed creation (e.g. credentials not yet available) is retried on the next turn.
  created.catch(() => cache.delete(key));
  return created;
}
