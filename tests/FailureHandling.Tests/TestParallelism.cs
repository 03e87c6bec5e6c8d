// Each class hosts Inventory with its own pools on a shared 2-core machine and PostgreSQL server: two classes at a time.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
