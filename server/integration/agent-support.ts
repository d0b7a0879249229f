// Wiring the agent's stores over the app database, for tests that build the agent without main.ts
// (the API harness and the agent integration tests). main.ts wires the same repositories.
import type { Db } from '../db/client';
import { createCatalogRepository } from '../db/repositories/catalog-repository';
import { createTasksRepository } from '../db/repositories/tasks-repository';
import type { CatalogStore } from '../agent/catalog/catalog-service';
import type { TaskStore } from '../agent/tasks/task-store';

export function createAgentStores(db: Db): { taskStore: TaskStore; catalogStore: CatalogStore } {
  return { taskStore: createTasksRepository(db), catalogStore: createCatalogRepository(db) };
}
