/**
 * `npm run mcp`: Steward over stdio, for MCP clients that launch a command. It is a bridge: every
 * message goes to the running Steward server's Streamable HTTP endpoint (/mcp) with the agent key as
 * bearer, and every answer (elicitations included) comes back. One process owns the database and the
 * approvals, so an approval given on the dashboard reaches the agent at once, and the key's limits are
 * applied in exactly one place.
 *
 *   STEWARD_AGENT_KEY=stw_... STEWARD_URL=http://127.0.0.1:5402 npm run mcp
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { loadMcpBridgeEnv } from '../env';

async function main(): Promise<void> {
  const env = loadMcpBridgeEnv();
  const local = new StdioServerTransport();
  const remote = new StreamableHTTPClientTransport(new URL('/mcp', env.STEWARD_URL), {
    requestInit: { headers: { authorization: `Bearer ${env.STEWARD_AGENT_KEY}` } },
  });

  // A request the server could not take (key refused, server down) is answered here, by id, so the
  // client sees an error instead of waiting for ever.
  local.onmessage = (message: JSONRPCMessage) => {
    remote.send(message).catch((error: unknown) => {
      if (!isJSONRPCRequest(message)) return;
      const text = error instanceof Error ? error.message : 'Steward could not be reached.';
      void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32001, message: text } });
    });
  };
  remote.onmessage = (message) => void local.send(message);
  remote.onerror = (error) => process.stderr.write(`steward mcp: ${error.message}\n`);
  local.onclose = () => void remote.close();
  remote.onclose = () => void local.close();

  await remote.start();
  await local.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`steward mcp: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
