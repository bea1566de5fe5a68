using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>
/// Per-evaluator state for the event being evaluated: field look-ups cached by field id, so that a field
/// read by hundreds of rules is resolved once per event. Generation stamps avoid clearing the arrays.
/// </summary>
internal sealed class EvaluationContext
{
    private readonly string[][] _names;
    private readonly int[] _stamps;
    private readonly bool[] _found;
    private readonly SigmaFieldValue[] _values;
    private readonly List<SigmaFieldValue> _allValues = [];
    private int _allValuesStamp;
    private int _generation;
    private ISigmaEvent _event = null!;

    public EvaluationContext(string[][] names)
    {
        _names = names;
        _stamps = new int[names.Length];
        _found = new bool[names.Length];
        _values = new SigmaFieldValue[names.Length];
    }

    public ISigmaEvent Event => _event;

    public void Reset(ISigmaEvent e)
    {
        _event = e;
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamps);
            _allValuesStamp = 0;
            _generation = 1;
        }
    }

    public bool TryGet(int field, out SigmaFieldValue value)
    {
        if (_stamps[field] != _generation)
        {
            _stamps[field] = _generation;
            _found[field] = false;
            _values[field] = default;
            foreach (var name in _names[field])
            {
                if (_event.TryGetField(name, out var v))
                {
                    _found[field] = true;
                    _values[field] = v;
                    break;
                }
            }
        }
        value = _values[field];
        return _found[field];
    }

    public List<SigmaFieldValue> AllValues()
    {
        if (_allValuesStamp != _generation)
        {
            _allValuesStamp = _generation;
            _allValues.Clear();
            _event.CollectValues(_allValues);
        }
        return _allValues;
    }
}
