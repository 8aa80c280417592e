// Package data loads the data sets that LEMON's experiments train on and turns them into
// deterministic, resumable batches: MNIST and Fashion-MNIST images for ViT, and an English
// corpus (State of the Union addresses and Moby-Dick) tokenized with BERT's WordPiece for
// masked-LM pretraining of BERT, plus labelled sentences for fine-tuning.
//
// Fetch the data once with scripts/fetch_data.sh; it fills DefaultDir() (.data/ in the
// repository root, or $LEMON_DATA). Without it, MNIST is still at MNISTModuleDir() and
// LoadCorpus falls back to a text that ships with Go.
//
// Dimension letters used in comments: N examples, B batch size, H×W×C image height, width and
// channels, T sequence length, M masked-LM prediction slots per sequence, V vocabulary size.
//
// Images:
//
//	dir, _ := data.DefaultDir()
//	train, test, err := data.LoadFashionMNIST(filepath.Join(dir, data.SubdirFashionMNIST))
//	train.Standardize(data.FashionMNISTMean, data.FashionMNISTStd)
//	batches, err := data.NewImageBatcher(train, 128, seed, true)
//	pixels, labels := batches.Next() // [B, H, W, C], [B]
//	state := batches.State()         // store with the checkpoint; Restore(state) resumes
//
// Masked-LM text:
//
//	wp, err := data.LoadWordPiece(filepath.Join(dir, data.TokenizerFile))
//	docs, err := data.LoadCorpus(dir)
//	trainDocs, valDocs := data.SplitDocuments(docs) // whole speeches/chapters held out
//	trainIDs, valIDs := wp.EncodeDocuments(trainDocs), wp.EncodeDocuments(valDocs)
//	vocab, remap := wp.Vocab().Restrict(trainIDs, 5) // compact output softmax
//	trainIDs, valIDs = remap.Apply(trainIDs), remap.Apply(valIDs)
//	baseline := data.UnigramEntropy(trainIDs, valIDs, vocab.Size()) // nats to beat
//	seqs, err := data.Pack(trainIDs, vocab, 128)
//	mlm, err := data.NewMLMBatcher(seqs, 32, data.MaxPredictions(128), seed, true)
//	batch := mlm.Next() // TokenIDs [B, T], MaskedPositions/Labels/Weights [B, M]
//
// The masking follows BERT (Devlin et al., 2019, §3.1 "Task #1: Masked LM" and appendix A.1):
// 15% of the tokens, of which 80% become [MASK], 10% a random token and 10% stay unchanged.
package data
