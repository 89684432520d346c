"""The LightGCN training loop: BPR on a CPU, with validation, early stopping and resume.

Each optimisation step propagates the whole graph once (:func:`~shopgraph.gnn.propagation.
propagate`, one sparse CSR product per layer forward and backward) and scores a large batch
of positives against it, each with ``config.negatives`` negatives, each the one the model
scores highest of ``config.negative_candidates`` uniform draws (dynamic negative sampling);
an epoch draws as many positives as there are interactions
(:class:`~shopgraph.gnn.sampling.TripletSampler`). The learning rate is constant or follows
a cosine over the run's steps (``config.lr_schedule``).
The loss is PyG's ``BPRLoss`` over every (user, positive, negative) pair, with the L2
penalty of the LightGCN reference code: ``weight_decay / 2`` times the squared norm of the
batch's layer-0 embeddings, divided by the number of pairs (with one negative per positive,
exactly the reference's loss).

The library never prints: a ``progress`` callback receives an :class:`EpochReport` after
every epoch. With a run folder (:mod:`shopgraph.gnn.runs`), every epoch is logged and
checkpointed; resuming from a checkpoint continues the same random streams and optimiser
state, so an interrupted run ends with the same model as an uninterrupted one.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

# The one import of torch_geometric. Importing it runs torch.jit.script on some of its pooling
# modules, which this torch deprecates with a FutureWarning that is no concern of ours (and the
# user of `shopgraph train` cannot act on): silenced here, for that message only.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning
    )
    from torch_geometric.nn.models.lightgcn import BPRLoss  # type: ignore[import-untyped]

from shopgraph.gnn.config import Init, LightGCNConfig, LossWeights, LrSchedule
from shopgraph.gnn.data import InteractionData, split_per_user
from shopgraph.gnn.evaluate import evaluate
from shopgraph.gnn.propagation import normalized_adjacency, propagate, to_torch_csr
from shopgraph.gnn.runs import RunFolder
from shopgraph.gnn.sampling import TripletSampler
from shopgraph.gnn.spectral import spectral_embeddings
from shopgraph.gnn.threads import torch_threads

__all__ = ["EpochReport", "TrainResult", "train_lightgcn"]

_I64 = npt.NDArray[np.int64]
_SELECT = "recall@20"
#: Floats in the largest tensor of a part of a batch (the gathered negative candidates, users
#: x negatives x candidates x dimensions): 16 MB, half of glibc's 32 MB limit for reusing
#: freed memory (see ``_Trainer._step``).
_PART_FLOATS = 1 << 22


@dataclass(frozen=True)
class EpochReport:
    """How one epoch went.

    Attributes:
        epoch: 1-based epoch number.
        epochs: The configured maximum.
        loss: Mean training loss of the epoch's steps (BPR plus the L2 term).
        seconds: Wall time of the epoch's training steps (sampling included).
        eval_seconds: Wall time of the validation evaluation (0 when there was none).
        metrics: Validation metrics (``{"recall@20": ...}``) or ``None`` when not evaluated.
        best_epoch: The epoch with the best validation recall@20 so far (0: none yet).
        best_recall: That recall@20, or ``None``.
    """

    epoch: int
    epochs: int
    loss: float
    seconds: float
    eval_seconds: float
    metrics: dict[str, float] | None
    best_epoch: int
    best_recall: float | None

    def to_row(self) -> dict[str, Any]:
        """The ``metrics.jsonl`` row: flat keys, validation metrics prefixed ``val_``."""
        row: dict[str, Any] = {
            "epoch": self.epoch,
            "loss": self.loss,
            "seconds": round(self.seconds, 3),
            "eval_seconds": round(self.eval_seconds, 3),
            "best_epoch": self.best_epoch,
        }
        for name, value in (self.metrics or {}).items():
            row[f"val_{name}"] = value
        return row


@dataclass(frozen=True)
class TrainResult:
    """The outcome of :func:`train_lightgcn`.

    Attributes:
        embeddings: ``float32 [n_users + n_items, d]`` layer-0 embeddings of the returned
            model (the best validation epoch when there is validation, else the last).
        user_embeddings: ``float32 [n_users, d]`` propagated (final) user embeddings.
        item_embeddings: ``float32 [n_items, d]`` propagated item embeddings.
        epochs_run: Epochs trained in all (across resumes).
        best_epoch: Epoch of the returned embeddings.
        best_metrics: Its validation metrics, or ``None`` without validation.
        stopped_early: True when patience ran out before ``config.epochs``.
        train_seconds: Training wall time (steps and evaluations, across resumes).
        history: Every epoch's report.
        run_dir: The run folder, or ``None``.
    """

    embeddings: torch.Tensor
    user_embeddings: npt.NDArray[np.float32]
    item_embeddings: npt.NDArray[np.float32]
    epochs_run: int
    best_epoch: int
    best_metrics: dict[str, float] | None
    stopped_early: bool
    train_seconds: float
    history: tuple[EpochReport, ...]
    run_dir: Path | None


class _Embeddings:
    """Scores items for users from propagated embeddings (the evaluate.Scorer protocol)."""

    def __init__(self, final: torch.Tensor, n_users: int) -> None:
        self._users = final[:n_users]
        self._items = final[n_users:]

    @property
    def n_items(self) -> int:
        return int(self._items.shape[0])

    def score(self, users: _I64) -> torch.Tensor:
        return self._users[torch.from_numpy(users)] @ self._items.T


def train_lightgcn(
    config: LightGCNConfig,
    data: InteractionData,
    *,
    validation: InteractionData | None = None,
    run_dir: Path | None = None,
    resume: bool = False,
    progress: Callable[[EpochReport], None] | None = None,
) -> TrainResult:
    """Trains LightGCN embeddings with BPR, validation-based early stopping and checkpoints.

    Args:
        config: Model and training settings.
        data: Training interactions. When ``validation`` is ``None`` and
            ``config.validation_fraction > 0``, a seeded per-user share of them is held
            out for validation and left out of the message-passing graph.
        validation: Held-out interactions for early stopping, or ``None``.
        run_dir: Run folder for config, data description, metrics, checkpoints and curves
            (:mod:`shopgraph.gnn.runs`); ``None`` trains in memory only.
        resume: Continue the run in ``run_dir`` from its checkpoint.
        progress: Called after every epoch.

    Returns:
        The trained embeddings and the run's history.

    Raises:
        ValueError: When ``data`` is empty, ``validation`` is on other ids, ``resume`` is
            set without ``run_dir``, or the run to resume was made with another config or data.
    """
    if not len(data):
        raise ValueError("LightGCN needs at least one training interaction.")
    if resume and run_dir is None:
        raise ValueError("resume needs the run_dir of the run to continue.")
    train = data
    if validation is None and config.validation_fraction > 0:
        train, validation = split_per_user(data, config.validation_fraction, seed=config.seed)
    if validation is not None and validation.id_map != train.id_map:
        raise ValueError("The validation data must use the training data's id map.")
    if validation is not None and not len(validation):
        validation = None
    run: RunFolder | None = None
    if run_dir is not None:
        run = (RunFolder.reopen if resume else RunFolder.create)(run_dir, config, train, validation)
    with torch_threads(config.num_threads):
        return _Trainer(config, train, validation, run, progress).run(resume)


class _Trainer:
    def __init__(
        self,
        config: LightGCNConfig,
        train: InteractionData,
        validation: InteractionData | None,
        run: RunFolder | None,
        progress: Callable[[EpochReport], None] | None,
    ) -> None:
        self.config = config
        self.train = train
        self.validation = validation
        self.run_folder = run
        self.progress = progress
        self.n_users = train.n_users
        self.adjacency = to_torch_csr(normalized_adjacency(train, config.degree_norm))
        self.sampler = TripletSampler(train, config.sampling, seed=config.seed)
        # PyG's BPRLoss for the pairs; its L2 term is added once per step in ``_step``.
        self.bpr = BPRLoss(lambda_reg=0.0)
        self.lambda_reg = config.weight_decay / 2
        drawn_per_user = config.negatives * config.negative_candidates
        self.part_users = max(1, _PART_FLOATS // (drawn_per_user * config.embedding_dim))
        n = train.n_users + train.n_items
        self.weights = torch.nn.Parameter(torch.zeros(n, config.embedding_dim))
        self.optimizer = torch.optim.Adam([self.weights], lr=config.learning_rate)
        self.epoch = 0
        self.best_epoch = 0
        self.best_metrics: dict[str, float] | None = None
        self.best_weights = self.weights.detach()
        self.bad_evaluations = 0
        self.lr_drops = 0
        self.train_seconds = 0.0
        self.history: list[EpochReport] = []
        self.finished = False
        self.stopped_early = False

    def _initial_embeddings(self) -> torch.Tensor:
        config = self.config
        if config.init is Init.SVD:
            return spectral_embeddings(
                self.train,
                config.embedding_dim,
                scale=config.init_scale,
                seed=config.seed,
                degree_norm=config.degree_norm,
            )
        generator = torch.Generator().manual_seed(config.seed)
        n = self.train.n_users + self.train.n_items
        return torch.randn(n, config.embedding_dim, generator=generator) * config.init_scale

    def run(self, resume: bool) -> TrainResult:
        if resume and self.run_folder is not None:
            self._restore(self.run_folder.load_checkpoint())
            self.run_folder.write_metrics([r.to_row() for r in self.history])
        else:
            with torch.no_grad():
                self.weights.copy_(self._initial_embeddings())
        while not self.finished:
            self._epoch()
        return self._result()

    def _epoch(self) -> None:
        config = self.config
        self.epoch += 1
        started = time.perf_counter()
        loss = self._train_epoch()
        seconds = time.perf_counter() - started
        metrics = None
        eval_seconds = 0.0
        last = self.epoch >= config.epochs
        if self.validation is not None and (self.epoch % config.eval_every == 0 or last):
            started = time.perf_counter()
            metrics = self._validate(self.validation)
            eval_seconds = time.perf_counter() - started
            self._track(metrics)
        elif self.validation is None:
            self.best_epoch = self.epoch
        self.train_seconds += seconds + eval_seconds
        best_recall = self.best_metrics[_SELECT] if self.best_metrics else None
        report = EpochReport(
            self.epoch, config.epochs, loss, seconds, eval_seconds, metrics,
            self.best_epoch, best_recall,
        )  # fmt: skip
        self.history.append(report)
        out_of_patience = config.patience > 0 and self.bad_evaluations >= config.patience
        if out_of_patience and self.lr_drops < config.lr_drops and config.lr_drop < 1:
            self._drop_learning_rate()
            out_of_patience = False
        self.stopped_early = out_of_patience and not last
        self.finished = last or out_of_patience
        if self.run_folder is not None:
            self.run_folder.append_metrics(report.to_row())
            every = config.checkpoint_every
            if self.finished or (every and self.epoch % every == 0):
                self.run_folder.save_checkpoint(self._state())
            if self.finished:
                self.run_folder.plot_curves([r.to_row() for r in self.history])
        if self.progress is not None:
            self.progress(report)

    def _drop_learning_rate(self) -> None:
        """Patience ran out: continue from the best epoch's embeddings at a lower rate."""
        self.lr_drops += 1
        self.bad_evaluations = 0
        with torch.no_grad():
            self.weights.copy_(self.best_weights)

    def _train_epoch(self) -> float:
        config = self.config
        n = self.sampler.n_positives
        drawn = config.negatives * config.negative_candidates
        users, positives, negatives, pair_weights = self.sampler.sample_with_weights(n, drawn)
        total = 0.0
        steps = 0
        for start in range(0, n, config.batch_size):
            stop = min(start + config.batch_size, n)
            self._set_step_learning_rate(steps)
            total += self._step(
                users[start:stop],
                positives[start:stop],
                negatives[start:stop],
                pair_weights[start:stop],
            )
            steps += 1
        return total / steps

    def _step(
        self,
        users: torch.Tensor,
        positives: torch.Tensor,
        drawn: torch.Tensor,
        pair_weights: torch.Tensor,
    ) -> float:
        """One optimisation step on a batch; returns its loss.

        The graph is propagated once, forward and backward. The BPR terms are taken in parts
        of the batch's users on a detached copy of the propagated embeddings, and the
        gradients of each part's gathered rows are added into one buffer, which then goes
        back through the propagation once. Tensors above glibc's 32 MB limit for reusing
        freed memory come as fresh pages from the kernel at every allocation, so nothing per
        part may be that large: the parts are sized by :data:`_PART_FLOATS` (4,096 users with
        the defaults), and the gathered rows are leaves, since an ``index_select``'s backward
        allocates a gradient of all rows per part.
        """
        config = self.config
        offset = self.n_users
        weighted = config.loss_weights is LossWeights.EDGE
        pairs = len(users) * config.negatives
        final = propagate(self.adjacency, self.weights, config.num_layers)
        rows = final.detach()
        grad = torch.zeros_like(rows)
        counts = torch.zeros(self.weights.shape[0], dtype=torch.int64)
        bpr = 0.0
        for start in range(0, len(users), self.part_users):
            stop = start + self.part_users
            user_index = users[start:stop]
            positive_index = positives[start:stop] + offset
            negative_index = self._hardest(rows, user_index, drawn[start:stop]) + offset
            part = len(user_index)
            # The part's rows are gathered as leaves and their gradients added into ``grad``:
            # an index_select of ``rows`` would allocate a gradient of all rows per part in its
            # backward. An element-wise product and a sum instead of a one-column bmm.
            user = rows.index_select(0, user_index).requires_grad_()
            positive = rows.index_select(0, positive_index).requires_grad_()
            negative = rows.index_select(0, negative_index).requires_grad_()
            negative_scores = (negative.view(part, config.negatives, -1) * user.unsqueeze(1)).sum(
                dim=2
            )
            positive_scores = (user * positive).sum(dim=1, keepdim=True)
            if weighted:
                # PyG's BPRLoss with each pair's log-likelihood times its positive edge weight.
                log_prob = F.logsigmoid(positive_scores - negative_scores)
                term = -(log_prob * pair_weights[start:stop].unsqueeze(1)).sum() / pairs
            else:
                # PyG's BPRLoss (no penalty here) is the mean over the part's pairs.
                term = self.bpr(
                    positive_scores.expand_as(negative_scores).reshape(-1),
                    negative_scores.reshape(-1),
                ) * (negative_scores.numel() / pairs)
            gathered = (user, positive, negative)
            indices = (user_index, positive_index, negative_index)
            for index, part_grad in zip(indices, torch.autograd.grad(term, gathered), strict=True):
                grad.index_add_(0, index, part_grad)
                counts += torch.bincount(index, minlength=len(counts))
            bpr += float(term.detach())
        # The L2 term of BPRLoss over the batch's layer-0 rows (with repeats), as
        # sqrt(count)-scaled rows of all weights: the same value and gradient as gathering
        # every row, without the gather.
        scaled = self.weights * counts.to(self.weights.dtype).sqrt().unsqueeze(1)
        penalty = self.lambda_reg * scaled.norm(p=2).pow(2) / pairs
        self.optimizer.zero_grad(set_to_none=True)
        torch.autograd.backward((final, penalty), (grad, None))
        self.optimizer.step()
        return bpr + float(penalty.detach())

    def _hardest(
        self, rows: torch.Tensor, user_index: torch.Tensor, drawn: torch.Tensor
    ) -> torch.Tensor:
        """The negatives of a batch: ``int64 [batch * negatives]`` item indices.

        ``drawn`` is ``int64 [batch, negatives * negative_candidates]`` uniform negatives.
        With one candidate they are the negatives. Otherwise each negative is, of its
        ``negative_candidates`` candidates, the one the current model scores highest for the
        user (dynamic negative sampling: Zhang, Chen, Wang and Yu, "Optimizing top-n
        collaborative filtering via dynamic negative item sampling", SIGIR 2013): harder
        negatives carry more gradient than the uniform ones BPR mostly already ranks low.
        Candidates are scored on ``rows``, the step's propagated embeddings, detached.
        """
        config = self.config
        if config.negative_candidates == 1:
            return drawn.reshape(-1)
        batch = len(user_index)
        candidates = drawn.view(batch, config.negatives, config.negative_candidates)
        user = rows.index_select(0, user_index)
        items = rows.index_select(0, candidates.reshape(-1) + self.n_users)
        scores = (items.view(batch, -1, user.shape[1]) * user.unsqueeze(1)).sum(dim=2)
        best = scores.view_as(candidates).argmax(dim=2, keepdim=True)
        return candidates.gather(2, best).reshape(-1)

    def _set_step_learning_rate(self, step: int) -> None:
        """Sets the rate of the epoch's ``step``-th step (0-based; ``self.epoch`` is 1-based).

        ``constant``: the base rate. ``cosine``: the base rate times
        ``(1 + cos(pi t / T)) / 2``, with ``t`` the steps taken before this one and ``T`` the
        steps of ``config.epochs`` epochs, so the rate falls from the base to 0 at the last
        step. The base rate is ``learning_rate`` times ``lr_drop`` per drop taken. The rate
        depends only on the epoch and step, so a resumed run takes the same steps.
        """
        config = self.config
        rate = config.learning_rate * config.lr_drop**self.lr_drops
        if config.lr_schedule is LrSchedule.COSINE:
            per_epoch = math.ceil(self.sampler.n_positives / config.batch_size)
            done = (self.epoch - 1) * per_epoch + step
            rate *= 0.5 * (1.0 + math.cos(math.pi * done / (config.epochs * per_epoch)))
        for group in self.optimizer.param_groups:
            group["lr"] = rate

    def _final(self, weights: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return propagate(self.adjacency, weights.detach(), self.config.num_layers)

    def _validate(self, validation: InteractionData) -> dict[str, float]:
        scorer = _Embeddings(self._final(self.weights), self.n_users)
        return evaluate(
            scorer,
            validation,
            exclude=self.train,
            max_users=self.config.eval_users or None,
            seed=self.config.seed,
        )

    def _track(self, metrics: dict[str, float]) -> None:
        best = self.best_metrics[_SELECT] if self.best_metrics else -math.inf
        if metrics[_SELECT] > best:
            self.best_metrics = metrics
            self.best_epoch = self.epoch
            self.best_weights = self.weights.detach().clone()
            self.bad_evaluations = 0
        else:
            self.bad_evaluations += 1

    def _state(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "weights": self.weights.detach().clone(),
            "optimizer": self.optimizer.state_dict(),
            "lr_drops": self.lr_drops,
            "sampler": self.sampler.state_dict(),
            "best_epoch": self.best_epoch,
            "best_metrics": self.best_metrics,
            "best_weights": self.best_weights,
            "bad_evaluations": self.bad_evaluations,
            "train_seconds": self.train_seconds,
            "history": [vars(r) for r in self.history],
            "finished": self.finished,
            "stopped_early": self.stopped_early,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        with torch.no_grad():
            self.weights.copy_(state["weights"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.lr_drops = int(state["lr_drops"])
        self.sampler.load_state_dict(state["sampler"])
        self.epoch = int(state["epoch"])
        self.best_epoch = int(state["best_epoch"])
        self.best_metrics = state["best_metrics"]
        self.best_weights = state["best_weights"]
        self.bad_evaluations = int(state["bad_evaluations"])
        self.train_seconds = float(state["train_seconds"])
        self.history = [EpochReport(**r) for r in state["history"]]
        self.finished = bool(state["finished"])
        self.stopped_early = bool(state["stopped_early"])

    def _result(self) -> TrainResult:
        weights = self.best_weights if self.validation is not None else self.weights.detach()
        weights = weights.clone()
        final = self._final(weights)
        return TrainResult(
            embeddings=weights,
            user_embeddings=final[: self.n_users].numpy().copy(),
            item_embeddings=final[self.n_users :].numpy().copy(),
            epochs_run=self.epoch,
            best_epoch=self.best_epoch if self.validation is not None else self.epoch,
            best_metrics=self.best_metrics,
            stopped_early=self.stopped_early,
            train_seconds=self.train_seconds,
            history=tuple(self.history),
            run_dir=self.run_folder.path if self.run_folder is not None else None,
        )
