"""Business rules that touch the database. They never use the request, flash or abort."""
