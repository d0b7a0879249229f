CREATE TABLE `onboarding_marks` (
	`user_id` text NOT NULL,
	`step` text NOT NULL,
	`state` text NOT NULL,
	`updated_at_ms` integer NOT NULL,
	PRIMARY KEY(`user_id`, `step`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
