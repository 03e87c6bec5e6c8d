// Each test class hosts four to six services, each with its own small connection pool, on a PostgreSQL server shared
// with other test runs (max_connections = 100). At most two classes run at once, whatever the machine's core count.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
