// Each AppHost run starts the whole system; two at once would only fight over the machine's cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
