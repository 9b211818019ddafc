using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class EnvFileSyntaxTests
{
    [Fact]
    public void String_BecomesOneRequiredEntry()
    {
        Assert.Equal(Expect("""
            - path: .env
              required: true
            """), Service("env_file: .env", "env_file"));
    }

    [Fact]
    public void List_MixedForms()
    {
        Assert.Equal(Expect("""
            - path: ./example1.env
              required: true
            - path: ./example2.env
              required: false
            - format: raw
              path: ./raw.env
              required: true
            """), Service("env_file:\n  - ./example1.env\n  - path: ./example2.env\n    required: false\n  - {path: ./raw.env, format: raw}", "env_file"));
    }
}
