export { DirectorySync as default } from "@workos-inc/widgets/directory-sync";
