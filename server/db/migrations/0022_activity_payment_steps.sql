-- Activity joins each payment to the task step that paid it (filters, search, the Dispute action).
CREATE INDEX `task_steps_payment_idx` ON `task_steps` (`payment_id`);
