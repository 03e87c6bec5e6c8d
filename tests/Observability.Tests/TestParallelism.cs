// Each test class hosts the four services with their own connection pools: at most two classes at once.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
