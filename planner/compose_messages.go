package planner

// composeMessages holds the Simplified Chinese text of the composer's
// fixed words (headline labels, notes); the English text is the key.
var composeMessages = map[string]string{}
