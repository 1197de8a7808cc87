/**
 * Bot Framework credentials, from the environment only. With `MICROSOFT_APP_ID` set, every request
 * to the messaging endpoint must carry a token issued by the Bot Framework (or the Emulator for that
 * app id) and replies are signed with the app's token; without it, the endpoint is anonymous (the
 * Emulator and local tests) and replies carry no token.
 */
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { ConfigError } from '../../bot/core/errors.js';

/** App types Azure Bot Service knows. */
export const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** The credentials in use; `appId` is '' in anonymous mode. */
export interface BotFrameworkCredentials {
  appId: string;
  anonymous: boolean;
  appType: (typeof APP_TYPES)[number];
  auth: ConfigurationBotFrameworkAuthentication;
}

const fail = (field: string, message: string): never => {
  throw new ConfigError(`environment: ${field}: ${message}`, 'environment', field);
};

/** Reads MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID and MICROSOFT_APP_TYPE. */
export function botFrameworkCredentials(env: NodeJS.ProcessEnv): BotFrameworkCredentials {
  const appId = env.MICROSOFT_APP_ID?.trim() ?? '';
  const password = env.MICROSOFT_APP_PASSWORD?.trim() ?? '';
  const tenantId = env.MICROSOFT_APP_TENANT_ID?.trim() ?? '';
  const rawType = env.MICROSOFT_APP_TYPE?.trim() || 'MultiTenant';
  const appType = APP_TYPES.find((t) => t.toLowerCase() === rawType.toLowerCase()) ?? fail('MICROSOFT_APP_TYPE', `expected one of ${APP_TYPES.join(', ')}`);
  if (!appId) {
    if (password) fail('MICROSOFT_APP_ID', 'MICROSOFT_APP_PASSWORD is set but the app id is not');
    return { appId: '', anonymous: true, appType, auth: new ConfigurationBotFrameworkAuthentication({}) };
  }
  if (appType !== 'UserAssignedMSI' && !password) fail('MICROSOFT_APP_PASSWORD', `required for a ${appType} app`);
  if (appType !== 'MultiTenant' && !tenantId) fail('MICROSOFT_APP_TENANT_ID', `required for a ${appType} app`);
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: appId,
    MicrosoftAppType: appType,
    ...(password ? { MicrosoftAppPassword: password } : {}),
    ...(tenantId ? { MicrosoftAppTenantId: tenantId } : {}),
  });
  return { appId, anonymous: false, appType, auth };
}
