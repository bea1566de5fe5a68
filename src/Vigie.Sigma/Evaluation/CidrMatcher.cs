using System.Net;
using System.Net.Sockets;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>Modifier <c>cidr</c>: the field holds an address inside an IPv4 or IPv6 network.</summary>
internal sealed class CidrMatcher : ValueMatcher
{
    private readonly byte[] _network;
    private readonly int _prefix;
    private readonly AddressFamily _family;

    private CidrMatcher(byte[] network, int prefix, AddressFamily family)
    {
        _network = network;
        _prefix = prefix;
        _family = family;
    }

    public static bool TryCreate(string text, out CidrMatcher? matcher)
    {
        matcher = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
            return false;
        var bytes = address.GetAddressBytes();
        var prefix = bytes.Length * 8;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out prefix) || prefix < 0 || prefix > bytes.Length * 8))
            return false;
        matcher = new CidrMatcher(bytes, prefix, address.AddressFamily);
        return true;
    }

    public override bool Matches(in SigmaFieldValue value)
    {
        var text = value.Text;
        if (text is null || value.Kind != SigmaValueKind.String || !IPAddress.TryParse(text, out var address))
            return false;
        if (address.AddressFamily != _family)
        {
            if (_family == AddressFamily.InterNetwork && address.IsIPv4MappedToIPv6)
                address = address.MapToIPv4();
            else
                return false;
        }
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written) || written != _network.Length)
            return false;
        var full = _prefix / 8;
        if (!bytes[..full].SequenceEqual(_network.AsSpan(0, full)))
            return false;
        var rest = _prefix % 8;
        if (rest == 0)
            return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == (_network[full] & mask);
    }
}
