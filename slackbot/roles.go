package slackbot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/roibot/roibot/agent"
)

// RoleConfig decides which agent.Role a Slack user asks with.
//
// Resolution, first match wins:
//  1. guests (is_restricted, is_ultra_restricted), strangers and users of
//     another team (Slack Connect) are customers;
//  2. in a FeedbackChannels channel everyone is a customer;
//  3. members get the highest role among their UserGroups and the role of
//     the channel they ask in (Channels), ranking analyst > marketer >
//     customer;
//  4. everyone else, including direct messages from members outside every
//     configured group, gets DefaultRole (customer when empty).
//
// When Slack cannot tell who the user is (users.info or
// usergroups.users.list fail) the user is a customer: roles fail closed.
type RoleConfig struct {
	// Channels maps channel IDs (C…) to the role of members asking there.
	Channels map[string]agent.Role
	// UserGroups maps user group IDs (S…) to the role of their members.
	UserGroups map[string]agent.Role
	// FeedbackChannels lists channel IDs where everyone is a customer.
	FeedbackChannels []string
	// DefaultRole applies to everyone else; empty means agent.RoleCustomer.
	DefaultRole agent.Role
	// CacheTTL is how long users.info and group memberships are cached
	// (default 5 minutes).
	CacheTTL time.Duration
}

func rank(r agent.Role) int {
	switch r {
	case agent.RoleAnalyst:
		return 3
	case agent.RoleMarketer:
		return 2
	case agent.RoleCustomer:
		return 1
	}
	return 0
}

type cachedUser struct {
	user    slack.User
	expires time.Time
}

type cachedGroup struct {
	members map[string]bool
	expires time.Time
}

type roleResolver struct {
	api    *slack.Client
	cfg    RoleConfig
	groups []string // configured group IDs, sorted

	mu         sync.Mutex
	users      map[string]cachedUser
	groupCache map[string]cachedGroup
}

func newRoleResolver(api *slack.Client, cfg RoleConfig) (*roleResolver, error) {
	check := func(where string, r agent.Role) error {
		if _, err := agent.ParseRole(string(r)); err != nil {
			return fmt.Errorf("slackbot: config: roles %s: %w", where, err)
		}
		return nil
	}
	if cfg.DefaultRole == "" {
		cfg.DefaultRole = agent.RoleCustomer
	}
	if err := check("default", cfg.DefaultRole); err != nil {
		return nil, err
	}
	for id, r := range cfg.Channels {
		if err := check("channel "+id, r); err != nil {
			return nil, err
		}
	}
	groups := make([]string, 0, len(cfg.UserGroups))
	for id, r := range cfg.UserGroups {
		if err := check("user group "+id, r); err != nil {
			return nil, err
		}
		groups = append(groups, id)
	}
	sort.Strings(groups)
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 5 * time.Minute
	}
	return &roleResolver{api: api, cfg: cfg, groups: groups,
		users: map[string]cachedUser{}, groupCache: map[string]cachedGroup{}}, nil
}

// resolve returns the role of user asking in channel of team, and the rule
// that decided it (logged as role_reason). A lookup error is returned
// alongside the customer role it falls back to.
func (r *roleResolver) resolve(ctx context.Context, team, channel, user string) (agent.Role, string, error) {
	u, err := r.user(ctx, user)
	if err != nil {
		return agent.RoleCustomer, "lookup_failed", err
	}
	switch {
	case u.IsRestricted || u.IsUltraRestricted:
		return agent.RoleCustomer, "guest", nil
	case u.IsStranger || (team != "" && u.TeamID != "" && u.TeamID != team && u.Enterprise.EnterpriseID == ""):
		return agent.RoleCustomer, "external", nil
	case slices.Contains(r.cfg.FeedbackChannels, channel):
		return agent.RoleCustomer, "feedback_channel", nil
	}
	best, reason := agent.Role(""), ""
	if cr, ok := r.cfg.Channels[channel]; ok && !strings.HasPrefix(channel, "D") {
		best, reason = cr, "channel"
	}
	for _, g := range r.groups {
		gr := r.cfg.UserGroups[g]
		if rank(gr) <= rank(best) {
			continue
		}
		members, err := r.members(ctx, g)
		if err != nil {
			return agent.RoleCustomer, "lookup_failed", err
		}
		if members[user] {
			best, reason = gr, "group"
		}
	}
	if best == "" {
		return r.cfg.DefaultRole, "default", nil
	}
	return best, reason, nil
}

func (r *roleResolver) user(ctx context.Context, id string) (slack.User, error) {
	now := time.Now()
	r.mu.Lock()
	c, ok := r.users[id]
	r.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.user, nil
	}
	u, err := retry(ctx, func() (*slack.User, error) { return r.api.GetUserInfoContext(ctx, id) })
	if err != nil {
		return slack.User{}, fmt.Errorf("users.info %s: %w", id, err)
	}
	r.mu.Lock()
	r.users[id] = cachedUser{user: *u, expires: now.Add(r.cfg.CacheTTL)}
	r.mu.Unlock()
	return *u, nil
}

func (r *roleResolver) members(ctx context.Context, group string) (map[string]bool, error) {
	now := time.Now()
	r.mu.Lock()
	c, ok := r.groupCache[group]
	r.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.members, nil
	}
	ids, err := retry(ctx, func() ([]string, error) { return r.api.GetUserGroupMembersContext(ctx, group) })
	if err != nil {
		return nil, fmt.Errorf("usergroups.users.list %s: %w", group, err)
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	r.mu.Lock()
	r.groupCache[group] = cachedGroup{members: m, expires: now.Add(r.cfg.CacheTTL)}
	r.mu.Unlock()
	return m, nil
}
