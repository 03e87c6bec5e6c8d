namespace OrderSystem.AppHost.Infrastructure;

/// <summary>
/// RabbitMQ run by <c>eng/infra.sh run rabbitmq</c> from the locally installed package, with its management plugin; or,
/// with <c>LocalInfrastructure:RabbitMqCluster=true</c>, three clustered nodes run by <c>eng/cluster.sh run</c> (this
/// resource's endpoints are node 1's).
/// </summary>
internal sealed class LocalRabbitMQResource(string name, string script, string workingDirectory, ParameterResource user, ParameterResource password)
    : ExecutableResource(name, script, workingDirectory), IResourceWithConnectionString
{
    public const string AmqpEndpointName = "amqp";
    public const string ManagementEndpointName = "management";

    public ParameterResource User => user;

    public ParameterResource Password => password;

    public EndpointReference Amqp => new(this, AmqpEndpointName);

    // The server listens on 127.0.0.1 only (not on ::1, where "localhost" may resolve first).
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{User}:{Password}@127.0.0.1:{Amqp.Property(EndpointProperty.Port)}/");
}
