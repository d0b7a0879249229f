/**
 * One MCP server per agent session, bound to the key that opened it: every tool acts for that key's
 * person, under that key's limits. Transports (stdio through the bridge, Streamable HTTP) only carry it.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentPrincipal } from '../domain/agent-keys';
import { APP_VERSION } from '../version';
import type { McpDeps, McpOptions } from './deps';
import type { KeyRateLimit } from './rate-limit';
import { registerStewardTools } from './tools';

export function createStewardMcpServer(deps: McpDeps, principal: AgentPrincipal, options: McpOptions, rateLimit: KeyRateLimit): McpServer {
  const server = new McpServer(
    { name: 'steward', version: APP_VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        'Steward pays L402 APIs for a person under their budget. Call list_services, then quote or fetch. A spend may need the person: answer their elicitation, or poll approval_status with the approvalId.',
    },
  );
  registerStewardTools({ server, deps, principal, options, rateLimit });
  return server;
}
