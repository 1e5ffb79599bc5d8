"""HTTP plumbing shared by every resource: errors, middleware, dependencies, lists."""
