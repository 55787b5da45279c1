package slackbot

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
)

// uploadAll uploads files into a thread, one by one, and returns every
// failure joined.
func (b *Bot) uploadAll(ctx context.Context, channel, threadTS string, files []File) error {
	var errs []error
	for _, f := range files {
		if err := b.upload(ctx, channel, threadTS, f); err != nil {
			errs = append(errs, fmt.Errorf("upload %s: %w", f.Name, err))
		}
	}
	return errors.Join(errs...)
}

// upload shares one file in a thread with Slack's external upload flow:
// files.getUploadURLExternal, a POST of the bytes to the returned
// upload_url, then files.completeUploadExternal with channel_id and
// thread_ts. (slack-go's UploadFileContext runs the same three steps; they
// are called one by one here so a 429 retries only the step that got it.)
func (b *Bot) upload(ctx context.Context, channel, threadTS string, f File) error {
	if len(f.Content) == 0 {
		return errors.New("empty file")
	}
	u, err := retry(ctx, func() (*slack.GetUploadURLExternalResponse, error) {
		return b.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
			FileName: f.Name, FileSize: len(f.Content), AltTxt: f.AltText,
		})
	})
	if err != nil {
		return fmt.Errorf("files.getUploadURLExternal: %w", err)
	}
	_, err = retry(ctx, func() (struct{}, error) {
		return struct{}{}, b.api.UploadToURL(ctx, slack.UploadToURLParameters{
			UploadURL: u.UploadURL, Reader: bytes.NewReader(f.Content), Filename: f.Name,
		})
	})
	if err != nil {
		return fmt.Errorf("upload_url: %w", err)
	}
	title := f.Title
	if title == "" {
		title = f.Name
	}
	_, err = retry(ctx, func() (*slack.CompleteUploadExternalResponse, error) {
		return b.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files:           []slack.FileSummary{{ID: u.FileID, Title: title}},
			Channel:         channel,
			ThreadTimestamp: threadTS,
		})
	})
	if err != nil {
		return fmt.Errorf("files.completeUploadExternal: %w", err)
	}
	return nil
}
