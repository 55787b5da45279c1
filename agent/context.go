package agent

import "context"

type conversationKey struct{}

// WithConversationID returns a copy of ctx carrying a conversation ID.
// Ask puts Question.ConversationID into the context it passes to tools,
// so a tool that keeps per-conversation state (the feedback collection
// dialogue) can find it with ConversationIDFrom.
func WithConversationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, conversationKey{}, id)
}

// ConversationIDFrom returns the conversation ID carried by ctx, or "".
func ConversationIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(conversationKey{}).(string)
	return id
}
