/**
 * The details pane's hook: the job it shows, that job's files (read again when
 * the archive changed), the selected file, and the commands on the job:
 * download its missing files, open an image.
 */
import path from 'node:path';
import {useEffect, useMemo} from 'react';
import type {DownloadControls} from '../../core/downloads/types.js';
import type {JobFile} from '../../core/archive/images.js';
import type {Job} from '../../core/job.js';
import {toSingleLine} from '../../core/terminal-text.js';
import type {ArchiveSource} from '../archive-source.js';
import type {CommandHandlers} from '../keys.js';
import {listCommands} from '../list-commands.js';
import type {TuiServices} from '../services.js';
import {useSyncState} from '../use-sync-state.js';
import {pictureFiles, previewFiles, selectedPicture} from './use-preview.js';

export interface DetailsOptions {
	archive: ArchiveSource;
	/** The job the pane shows and d/o act on, as of now (handlers call it when a key arrives). */
	currentJob: () => Job | undefined;
	/** Bumped when archived data changed: the file list is read again. */
	dataVersion: number;
	engine: DownloadControls;
	/** Take an engine snapshot now, so queued files show at once. */
	refreshSnapshot: () => void;
	openImage: TuiServices['openImage'];
	info: (text: string) => void;
}

/** The shown job, its files and selected file; `commands` for the details pane, `jobCommands` for d/o in the jobs pane. */
export function useDetails({archive, currentJob, dataVersion, engine, refreshSnapshot, openImage, info}: DetailsOptions) {
	const job = currentJob();
	const images = useMemo(() => (job ? archive.images.ofJob(job.id) : []), [archive, job?.id, dataVersion]);
	const [fileIndex, setFileIndex, fileIndexRef] = useSyncState(0);
	useEffect(() => setFileIndex(0), [job?.id, setFileIndex]);

	const handlers = useMemo(() => {
		const filesOf = (target: Job | undefined) => (target ? archive.images.ofJob(target.id) : []);
		const lastFile = () => Math.max(0, filesOf(currentJob()).length - 1);
		/** Open the image `pick` chooses among the current job's files, or say why not. */
		const open = (pick: (files: JobFile[]) => JobFile | undefined) => () => {
			const target = currentJob();
			const image = pick(filesOf(target));
			if (!image || image.status !== 'done' || !image.path) {
				return info(target ? 'no downloaded image for this job yet (d downloads it)' : 'no job selected');
			}
			info(toSingleLine(openImage(path.join(archive.dir, image.path))));
		};
		const downloadJob = () => {
			const target = currentJob();
			if (!target) return info('no job selected');
			const queued = engine.enqueueMissing({jobIds: [target.id]});
			refreshSnapshot();
			info(queued ? `queued ${queued} file${queued === 1 ? '' : 's'} of ${toSingleLine(target.id)}` : 'nothing missing for this job');
		};
		/** `[`/`]`: select the previous/next picture file of the job (the preview and `o` follow the selection). */
		const stepImage = (step: number) => () => {
			const files = previewFiles(currentJob(), filesOf(currentJob()));
			const pictures = pictureFiles(files);
			const current = selectedPicture(files, fileIndexRef.current);
			if (pictures.length === 0 || !current) return info('this job has no images');
			const next = pictures[(pictures.indexOf(current) + step + pictures.length) % pictures.length]!;
			setFileIndex(files.indexOf(next));
		};
		const imageCommands: CommandHandlers = {'prev-image': stepImage(-1), 'next-image': stepImage(1)};
		const commands: CommandHandlers = {
			// The file list is short: a page is one file.
			...listCommands(
				(delta) => setFileIndex((index) => Math.max(0, Math.min(lastFile(), index + delta))),
				() => 1,
				() => setFileIndex(0),
				() => setFileIndex(lastFile()),
			),
			open: open((files) => files[fileIndexRef.current]),
			'download-job': downloadJob,
			...imageCommands,
		};
		const jobCommands: CommandHandlers = {
			open: open((files) => files.find((file) => file.status === 'done')),
			'download-job': downloadJob,
			...imageCommands,
		};
		return {commands, jobCommands, imageCommands};
	}, [archive, currentJob, engine, refreshSnapshot, openImage, info, setFileIndex, fileIndexRef]);
	return {job, images, fileIndex, ...handlers};
}
