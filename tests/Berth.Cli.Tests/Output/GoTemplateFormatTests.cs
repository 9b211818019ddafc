using Berth.Cli.Output;

namespace Berth.Cli.Tests.Output;

/// <summary>docker's --format for listings: json lines, table, table TEMPLATE, Go templates, and clear errors.</summary>
public sealed class GoTemplateFormatTests
{
    private static readonly string[] s_fields = ["CurrentState", "ID", "Name", "Ports"];
    private const string DefaultTable = "{{.ID}}\\t{{.Name}}\\t{{.CurrentState}}";

    private static readonly IReadOnlyDictionary<string, string>[] s_rows =
    [
        new Dictionary<string, string> { ["ID"] = "abc", ["Name"] = "s_web.1", ["CurrentState"] = "Running 2 seconds ago", ["Ports"] = "*:80->8080/tcp" },
        new Dictionary<string, string> { ["ID"] = "defghijklmnop", ["Name"] = "s_db.1", ["CurrentState"] = "Pending", ["Ports"] = "" },
    ];

    private static string Write(string? format)
    {
        var (parsed, error) = GoTemplateFormat.Parse(format, DefaultTable, s_fields);
        Assert.True(parsed is not null, error);
        using var output = new StringWriter { NewLine = "\n" };
        parsed.Write(output, s_rows);
        return output.ToString();
    }

    [Fact]
    public void Json_OneObjectPerLine_KeysSorted_HtmlEscapedAsGo()
    {
        Assert.Equal(
            "{\"CurrentState\":\"Running 2 seconds ago\",\"ID\":\"abc\",\"Name\":\"s_web.1\",\"Ports\":\"*:80-\\u003e8080/tcp\"}\n"
            + "{\"CurrentState\":\"Pending\",\"ID\":\"defghijklmnop\",\"Name\":\"s_db.1\",\"Ports\":\"\"}\n",
            Write("json"));
    }

    [Fact]
    public void Table_IsTheDefaultTable_WithDockersTabwriterWidths()
    {
        // Minimum cell width 10 and 3 blanks of padding, as docker's tabwriter; no trailing blanks.
        var expected = "ID              NAME      CURRENT STATE\nabc             s_web.1   Running 2 seconds ago\ndefghijklmnop   s_db.1    Pending\n";
        Assert.Equal(expected, Write("table"));
        Assert.Equal(expected, Write(null));
    }

    [Fact]
    public void TableTemplate_HeaderFromFieldNames()
        => Assert.Equal("NAME      PORTS\ns_web.1   *:80->8080/tcp\ns_db.1\n", Write("table {{.Name}}\\t{{.Ports}}"));

    [Theory]
    [InlineData("{{.Name}}", "s_web.1\ns_db.1\n")]
    [InlineData("{{.Name}}\\t{{.ID}}", "s_web.1\tabc\ns_db.1\tdefghijklmnop\n")]
    [InlineData("{{.Name}} is {{.CurrentState | lower}}", "s_web.1 is running 2 seconds ago\ns_db.1 is pending\n")]
    [InlineData("{{upper .Name}}", "S_WEB.1\nS_DB.1\n")]
    [InlineData("{{json .Ports}}", "\"*:80->8080/tcp\"\n\"\"\n")]
    [InlineData("{{truncate .ID 5}}", "abc\ndefgh\n")]
    [InlineData("{{title .CurrentState}}", "Running 2 Seconds Ago\nPending\n")]
    [InlineData("[{{pad .Ports 1 1}}]", "[ *:80->8080/tcp ]\n[]\n")]
    [InlineData("  {{- .ID -}}  |", "abc|\ndefghijklmnop|\n")]
    public void GoTemplate_FieldsFunctionsAndEscapes(string format, string expected) => Assert.Equal(expected, Write(format));

    [Fact]
    public void JsonOfDot_IsTheWholeRow()
        => Assert.StartsWith("{\"CurrentState\":\"Running 2 seconds ago\",\"ID\":\"abc\"", Write("{{json .}}"), StringComparison.Ordinal);

    [Theory]
    [InlineData("{{.Nme}}", "can't evaluate field Nme (fields: CurrentState, ID, Name, Ports)")]
    [InlineData("table {{.Name}}\\t{{.Node}}", "can't evaluate field Node")]
    [InlineData("{{shout .Name}}", "function \"shout\" not defined")]
    [InlineData("{{range .Name}}x{{end}}", "'range' is not supported")]
    [InlineData("{{.Name", "unclosed action")]
    [InlineData("{{truncate .Name}}", "wrong number of args for truncate: want 2 got 1")]
    [InlineData("{{.Name.First}}", "nested field")]
    public void Invalid_IsAOneLineErrorNamingTheProblem(string format, string message)
    {
        var (parsed, error) = GoTemplateFormat.Parse(format, DefaultTable, s_fields);
        Assert.Null(parsed);
        Assert.NotNull(error);
        Assert.StartsWith("invalid --format: template: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("CurrentState", "CURRENT STATE")]
    [InlineData("ID", "ID")]
    [InlineData("CreatedAt", "CREATED AT")]
    public void HeaderOf_SplitsWords(string field, string header) => Assert.Equal(header, GoTemplateFormat.HeaderOf(field));
}
