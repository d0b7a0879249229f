// Agent keys' public surface: per-agent credentials whose limits narrow the person's own rules.
export { createAgentKeys, hashAgentKey, type AgentKeys, type AgentKeysDeps, type AgentPrincipal, type AuthenticateResult, type RevokeResult } from './agent-keys-service';
export { MCP_SESSIONS_PER_KEY, type McpSession, type McpSessions } from './mcp-sessions';
export { keyRefusal, keyRefusalWhy, keyStatus, narrowDecision, serviceAllowed, type KeyLimits, type KeySpend } from './key-rules';
export { issueAgentKey, type IssueKeyDeps, type IssueKeyInput, type IssueKeyRefusal, type IssueKeyResult } from './issue-key';
