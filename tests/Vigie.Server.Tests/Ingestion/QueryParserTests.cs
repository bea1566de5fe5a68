using Vigie.Core.Events.Query;

namespace Vigie.Server.Tests.Ingestion;

public sealed class QueryParserTests
{
    [Fact]
    public void Terms_side_by_side_are_anded_and_or_binds_looser()
    {
        Show(EventQueryParser.Parse("user.name:alice source.ip:10.0.0.1 OR NOT event.outcome:success"))
            .ShouldBe("(or (and user.name=alice source.ip=10.0.0.1) (not event.outcome=success))");
    }

    [Fact]
    public void Ranges_comparisons_wildcards_phrases_and_exists_are_read()
    {
        EventQueryParser.Parse("source.port:[1 TO 1024}").ShouldBe(new RangeMatch("source.port", "1", "1024", true, false));
        EventQueryParser.Parse("@timestamp:>=now-7d").ShouldBe(new RangeMatch("@timestamp", "now-7d", null, true, false));
        EventQueryParser.Parse("host.name:web-*").ShouldBe(new FieldMatch("host.name", "web-*", true));
        EventQueryParser.Parse("message:\"failed password\"").ShouldBe(new FieldMatch("message", "failed password", false));
        EventQueryParser.Parse("_exists_:user.name").ShouldBe(new FieldExists("user.name"));
        EventQueryParser.Parse("\"lsass dump\"").ShouldBe(new FreeText("lsass dump"));
        EventQueryParser.Parse("destination.ip:fe80::1").ShouldBe(new FieldMatch("destination.ip", "fe80::1", false));
        EventQueryParser.Parse("event.created:12:30:00").ShouldBe(new FieldMatch("event.created", "12:30:00", false));
        EventQueryParser.Parse("-user.name:root").ShouldBe(new NotNode(new FieldMatch("user.name", "root", false)));
        Show(EventQueryParser.Parse("user.name:(root OR admin)")).ShouldBe("(or user.name=root user.name=admin)");
        Show(EventQueryParser.Parse("a:1 AND (b:2 OR c:3*) && d:4")).ShouldBe("(and a=1 (or b=2 c~3*) d=4)");
        EventQueryParser.Parse("   ").ShouldBeNull();
    }

    [Theory]
    [InlineData("(user.name:a", 1, "never closed")]
    [InlineData("user.name:a)", 12, "unexpected ')'")]
    [InlineData("user.name:", 11, "no value")]
    [InlineData("a AND", 6, "missing")]
    [InlineData("x:[1 TO", 3, "never closed")]
    [InlineData("msg:\"open", 5, "never closed")]
    [InlineData("OR x", 1, "needs a term")]
    public void A_syntax_error_names_its_position(string query, int position, string reason)
    {
        var e = Should.Throw<QuerySyntaxException>(() => EventQueryParser.Parse(query));
        e.Position.ShouldBe(position, e.Message);
        e.Message.ShouldContain(reason);
    }

    private static string Show(QueryNode? node) => node switch
    {
        AndNode a => "(and " + string.Join(' ', a.Children.Select(Show)) + ")",
        OrNode o => "(or " + string.Join(' ', o.Children.Select(Show)) + ")",
        NotNode n => "(not " + Show(n.Child) + ")",
        FieldMatch m => m.Field + (m.Wildcard ? "~" : "=") + m.Value,
        _ => node?.ToString() ?? "null",
    };
}
