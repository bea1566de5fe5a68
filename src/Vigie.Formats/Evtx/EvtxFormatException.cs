namespace Vigie.Formats.Evtx;

/// <summary>The input cannot be read as EVTX at all: not an EVTX file, empty, or cut inside its header.</summary>
public sealed class EvtxFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="file"/>; the message names the file and the reason.</summary>
    public EvtxFormatException(string file, string reason)
        : base($"{file}: {reason}")
    {
        File = file;
        Reason = reason;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public EvtxFormatException() : this("(input)", "not an EVTX file")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public EvtxFormatException(string message) : this("(input)", message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public EvtxFormatException(string message, Exception innerException) : base(message, innerException)
    {
        File = "(input)";
        Reason = message;
    }

    /// <summary>The file's name as given to the reader.</summary>
    public string File { get; }

    /// <summary>Why the file cannot be read.</summary>
    public string Reason { get; }
}
