using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class DependsOnSyntaxTests
{
    [Fact]
    public void List_BecomesMappingWithDefaults()
    {
        Assert.Equal(Expect("""
            db:
              condition: service_started
              required: true
            redis:
              condition: service_started
              required: true
            """), Service("depends_on: [db, redis]", "depends_on"));
    }

    [Fact]
    public void Mapping_GetsMissingDefaults_KeepsRestart()
    {
        Assert.Equal(Expect("""
            cache:
              condition: service_started
              required: false
            db:
              condition: service_healthy
              required: true
              restart: true
            """),
            Service("depends_on:\n  db: {condition: service_healthy, restart: true}\n  cache: {required: false}", "depends_on"));
    }
}
