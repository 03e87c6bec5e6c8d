using Xunit;

// The PostgreSQL server is shared with other projects' tests (max_connections 100) and every class here starts hosts
// with their own pools: run this assembly's classes one after another to stay a good neighbour.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
